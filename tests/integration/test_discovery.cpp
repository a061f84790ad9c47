// SPDX-License-Identifier: Apache-2.0
// Settings discovery against a real local DNS server (dnsmasq, on 127.0.0.1 at the stack's port
// base + 153) serving SRV, MX and address records for the stack's domain: a run with only
// --email and --dns-server finds the stack and passes the round trip; --discover-only shows the
// candidates with where each came from; the "." record, SRV priority, a target in another domain
// (warned about), a truncated answer asked again over TCP, NXDOMAIN, a name server that answers
// garbage and one that never answers (a clear error at the deadline, no hang). With the HTTPS
// server of autoconfig_server.hpp as autoconfig.<domain> (through --connect-to): a domain with
// no SRV record and no preset finds the stack from its autoconfig document and passes; with SRV
// too, both sources are shown and autoconfig ranks first; an ISPDB entry chosen by a forged MX is
// shown with its warning and not used; a local ISPDB (--ispdb) finds the settings offline.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/integration/autoconfig_server.hpp"
#include "tests/integration/dnsmasq.hpp"
#include "tests/integration/stack.hpp"

namespace mv::test {

namespace {

// The stack's records: submission and IMAPS by SRV at mail.<domain>, which resolves to the stack.
std::vector<std::string> stack_records() {
  const Stack& s = stack();
  const std::string d = domain();
  return {"srv-host=_submission._tcp." + d + ",mail." + d + "," +
              s.get("MAILSTACK_SMTP_SUBMISSION_PORT") + ",0,0",
          "srv-host=_imaps._tcp." + d + ",mail." + d + "," + s.get("MAILSTACK_IMAPS_PORT") + ",0,0",
          "srv-host=_pop3s._tcp." + d,  // no target: "." - decidedly not available
          "host-record=mail." + d + ",127.0.0.1", "mx-host=" + d + ",mail." + d + ",10"};
}

std::vector<std::string> account_args(const std::string& dns_server) {
  return {"--email",        stack().get("MAILSTACK_USER1"),
          "--dns-server",   dns_server,
          "--cafile",       stack().get("MAILSTACK_CA"),
          "--timeout",      "10",
          "--password-env", "MV_TEST_PASSWORD"};
}

std::string good_password() {
  return "MV_TEST_PASSWORD=" + stack().get("MAILSTACK_PASS1");
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

// A UDP socket on 127.0.0.1 at base + 154 that answers every datagram with `reply` (empty: never
// answers), on a thread of its own while the tool runs.
class UdpResponder {
 public:
  explicit UdpResponder(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port_base() + 154));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        char buf[1024];
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const ssize_t n =
            ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0 && !reply_.empty())
          ::sendto(fd_, reply_.data(), reply_.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      }
    });
  }
  ~UdpResponder() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_base() + 154); }

 private:
  std::string reply_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// scripts/validate-json.py over this document: "valid 1", or each problem.
std::string validate_json(const std::string& doc) {
  char path[] = "/tmp/mv-discovery-json-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, doc.data(), doc.size()) == static_cast<ssize_t>(doc.size()));
  ::close(fd);
  const std::string cmd =
      std::string("python3 " MV_SOURCE_DIR "/scripts/validate-json.py ") + path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[1024];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  ::pclose(p);
  ::unlink(path);
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out;
}

}  // namespace

TEST_CASE(
    "discovery/only --email and --dns-server: SRV finds the stack and the round trip passes") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  Dnsmasq dns(stack_records());
  const ToolRun r = run_tool(account_args(dns.server()), {good_password()});
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PASS round trip complete") != std::string::npos);
  CHECK(r.out.find("using for SMTP: mail." + domain() + ":" +
                   stack().get("MAILSTACK_SMTP_SUBMISSION_PORT") + " STARTTLS") !=
        std::string::npos);
  // The addresses came from the name server too (dnsmasq's host-record), not /etc/hosts.
  CHECK(r.out.find("connected to 127.0.0.1:" + stack().get("MAILSTACK_IMAPS_PORT")) !=
        std::string::npos);
}

TEST_CASE(
    "discovery/--discover-only prints the candidates with provenance, the '.' record, "
    "priority order") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  const std::string d = domain();
  std::vector<std::string> records = stack_records();
  records.push_back("srv-host=_imap._tcp." + d + ",backup." + d + ",143,20,0");
  records.push_back("srv-host=_imap._tcp." + d + ",primary." + d + ",143,10,0");
  Dnsmasq dns(records);
  const ToolRun r = run_tool(with(account_args(dns.server()), {"--discover-only"}));
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("from srv _submission._tcp." + d) != std::string::npos);
  CHECK(r.out.find("_pop3s._tcp." + d + ": target \".\"") != std::string::npos);
  CHECK(r.out.find("the certificate is checked against mail." + d) != std::string::npos);
  const std::size_t primary = r.out.find("IMAP primary." + d + ":143 STARTTLS");
  const std::size_t backup = r.out.find("IMAP backup." + d + ":143 STARTTLS");
  REQUIRE(primary != std::string::npos);
  REQUIRE(backup != std::string::npos);
  CHECK(primary < backup);  // priority 10 before 20
  // Implicit TLS (imaps) is chosen over the STARTTLS records at equal standing.
  CHECK(r.out.find("using for IMAP: mail." + d) != std::string::npos);
  CHECK(r.out.find("PASS") == std::string::npos);  // nothing was run
  // --json carries the same in its "discovery" object.
  const ToolRun j = run_tool(with(account_args(dns.server()), {"--discover-only", "--json"}));
  CHECK(j.exit_code == 0);
  CHECK(j.out.find("\"discovery\":{\"domain\":\"" + d + "\"") != std::string::npos);
  CHECK(j.out.find("\"source\":\"srv\",\"origin\":\"_imaps._tcp." + d + "\"") != std::string::npos);
}

TEST_CASE("discovery/an SRV target in another domain is shown with a warning") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  const std::string d = domain();
  Dnsmasq dns({"srv-host=_submissions._tcp." + d + ",mail.other.test,465,0,0",
               "srv-host=_imaps._tcp." + d + ",mail.other.test,993,0,0",
               "host-record=mail.other.test,127.0.0.1"});
  const ToolRun r = run_tool(with(account_args(dns.server()), {"--discover-only"}));
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("WARNING: mail.other.test is outside your address's domain " + d) !=
        std::string::npos);
}

TEST_CASE("discovery/a truncated UDP answer is asked again over TCP") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  // Enough records that the answer exceeds 512 bytes: dnsmasq sets TC over UDP.
  const std::string d = domain();
  std::vector<std::string> records = stack_records();
  for (int i = 0; i < 24; ++i)
    records.push_back("srv-host=_imap._tcp." + d + ",a-rather-long-host-name-number-" +
                      std::to_string(i) + ".imap-servers." + d + ",143,30,0");
  Dnsmasq dns(records);
  const ToolRun r = run_tool(with(account_args(dns.server()), {"--discover-only"}));
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("a-rather-long-host-name-number-23.imap-servers." + d) != std::string::npos);
}

TEST_CASE("discovery/a domain with nothing published: a clear error, exit 2") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  Dnsmasq dns({});  // local=/<domain>/: NXDOMAIN for every name under it
  const ToolRun r = run_tool(with(account_args(dns.server()), {"--discover-only"}));
  INFO(r.all());
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("found no smtp server") != std::string::npos);
  CHECK(r.out.find("[run.no_settings]") != std::string::npos);
  const ToolRun j = run_tool(with(account_args(dns.server()), {"--discover-only", "--json"}));
  CHECK(j.exit_code == 2);
  CHECK(j.out.find("\"code\":\"run.no_settings\"") != std::string::npos);
  CHECK(validate_json(j.out) == "valid 1");
}

TEST_CASE("discovery/a name server that never answers: net.dns at the deadline, no hang") {
  UdpResponder silent("");
  const auto start = std::chrono::steady_clock::now();
  const ToolRun r = run_tool(with(account_args(silent.server()), {"--connect-timeout", "2"}));
  const auto took = std::chrono::steady_clock::now() - start;
  INFO(r.all());
  CHECK(r.exit_code == 3);
  CHECK(r.out.find("no answer within") != std::string::npos);
  CHECK(r.out.find("[net.dns]") != std::string::npos);
  CHECK(took < std::chrono::seconds(6));
}

TEST_CASE("discovery/a name server that answers garbage: net.dns naming what it sent") {
  UdpResponder garbage("this is no DNS message");
  const ToolRun r = run_tool(with(account_args(garbage.server()), {"--connect-timeout", "2"}));
  INFO(r.all());
  CHECK(r.exit_code == 3);
  CHECK(r.out.find("no DNS response") != std::string::npos);
}

TEST_CASE("discovery/--dns-server also answers for --host: its addresses come from there") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  const Stack& s = stack();
  // Only the name server knows mail.<domain> (no /etc/hosts entry): a pass proves it was asked.
  Dnsmasq dns({"host-record=mail." + domain() + ",127.0.0.1"});
  const ToolRun r = run_tool(
      with(account_args(dns.server()),
           {"--host", "mail." + domain(), "--smtp-port", s.get("MAILSTACK_SMTP_SUBMISSION_PORT"),
            "--imap-port", s.get("MAILSTACK_IMAPS_PORT"), "--stop-after", "auth"}),
      {good_password()});
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Discovery for") == std::string::npos);  // explicit servers: no discovery
}

TEST_CASE(
    "discovery/--connect-to: the connection goes elsewhere, the certificate is still HOST1's") {
  const Stack& s = stack();
  const std::string name = "mail." + domain();  // in the certificate, resolvable by nobody
  const std::string sub = s.get("MAILSTACK_SMTP_SUBMISSION_PORT");
  const std::string imaps = s.get("MAILSTACK_IMAPS_PORT");
  const ToolRun r =
      run_tool({"--email", s.get("MAILSTACK_USER1"), "--host", name, "--smtp-port", "587",
                "--imap-port", "993", "--connect-to", name + ":587:127.0.0.1:" + sub,
                "--connect-to", name + ":993:127.0.0.1:" + imaps, "--cafile", s.get("MAILSTACK_CA"),
                "--password-env", "MV_TEST_PASSWORD", "--stop-after", "auth"},
               {good_password()});
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("connected to 127.0.0.1:" + imaps) != std::string::npos);
  // Pointed at a name the certificate lacks, the check still applies to HOST1: it fails.
  const ToolRun wrong = run_tool(
      {"--email", s.get("MAILSTACK_USER1"), "--host", "imap.elsewhere.test", "--smtp-port", "587",
       "--imap-port", "993", "--connect-to", "imap.elsewhere.test:587:127.0.0.1:" + sub,
       "--connect-to", "imap.elsewhere.test:993:127.0.0.1:" + imaps, "--cafile",
       s.get("MAILSTACK_CA"), "--password-env", "MV_TEST_PASSWORD", "--stop-after", "tls"},
      {good_password()});
  CHECK(wrong.exit_code == 4);
}

namespace {

// The stack's autoconfig document at autoconfig.<domain>, naming mail.<domain>, served by the
// test server; --connect-to sends autoconfig.<domain>:443 there (the certificate names it).
struct AutoconfigDomain {
  AutoconfigServer server;
  AutoconfigDomain() {
    server.write("mail/config-v1.1.xml", stack_document(domain(), "mail." + domain()));
  }
  // HOST2 "127.0.0.1", or empty: then autoconfig.<domain> itself is looked up at --dns-server.
  std::vector<std::string> args(const std::string& to = "127.0.0.1") const {
    return {"--connect-to",
            "autoconfig." + domain() + ":443:" + to + ":" + std::to_string(server.port)};
  }
};

}  // namespace

TEST_CASE(
    "discovery/no SRV, no preset: the autoconfig document finds the stack and the round trip "
    "passes") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  const std::string d = domain();
  AutoconfigDomain autoconfig;
  Dnsmasq dns(
      {"host-record=autoconfig." + d + ",127.0.0.1", "host-record=mail." + d + ",127.0.0.1"});
  const ToolRun r =
      run_tool(with(account_args(dns.server()), autoconfig.args()), {good_password()});
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PASS round trip complete") != std::string::npos);
  CHECK(r.out.find("autoconfig_subdomain https://autoconfig." + d +
                   "/mail/config-v1.1.xml?emailaddress=") != std::string::npos);
  CHECK(r.out.find("srv SRV under " + d + ": nothing") != std::string::npos);
  CHECK(r.out.find("using for SMTP: mail." + d + ":" +
                   stack().get("MAILSTACK_SMTP_SUBMISSION_PORT") + " STARTTLS") !=
        std::string::npos);
  CHECK(r.out.find("the certificate is checked against mail." + d +
                   ": the source was fetched over HTTPS under your domain") != std::string::npos);
  // The server was asked for the address, and discovery's own connections left no failed step.
  CHECK(autoconfig.server.requests().find("emailaddress=") != std::string::npos);
  CHECK(r.out.find(" discover.") == std::string::npos);
}

TEST_CASE("discovery/--discover-only with SRV and autoconfig: both shown, autoconfig ranks first") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  const std::string d = domain();
  AutoconfigDomain autoconfig;
  std::vector<std::string> records = stack_records();
  records.push_back("host-record=autoconfig." + d + ",127.0.0.1");
  Dnsmasq dns(records);
  // The autoconfig host's address comes from the name server's A record.
  const ToolRun r =
      run_tool(with(with(account_args(dns.server()), autoconfig.args("")), {"--discover-only"}));
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("srv SRV under " + d + ": found") != std::string::npos);
  CHECK(r.out.find("autoconfig_subdomain https://autoconfig." + d) != std::string::npos);
  const std::size_t from_autoconfig = r.out.find("from autoconfig_subdomain https://autoconfig.");
  const std::size_t from_srv = r.out.find("from srv _");
  REQUIRE(from_autoconfig != std::string::npos);
  REQUIRE(from_srv != std::string::npos);
  CHECK(from_autoconfig < from_srv);  // the documented order: autoconfig under the domain first
  const ToolRun j = run_tool(
      with(with(account_args(dns.server()), autoconfig.args()), {"--discover-only", "--json"}));
  CHECK(j.exit_code == 0);
  CHECK(j.out.find("{\"source\":\"autoconfig_subdomain\",\"origin\":\"https://autoconfig." + d) !=
        std::string::npos);
  CHECK(validate_json(j.out) == "valid 1");
}

TEST_CASE(
    "discovery/an ISPDB entry chosen by a forged MX: shown with its warning, the trusted one "
    "used") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  const std::string d = domain();
  AutoconfigDomain autoconfig;
  // The "mirror" is the same server: its v1.1/evil.test names mail.evil.test for everyone.
  autoconfig.server.write("v1.1/evil.test", stack_document("evil.test", "mail.evil.test"));
  Dnsmasq dns({"host-record=autoconfig." + d + ",127.0.0.1", "host-record=mail." + d + ",127.0.0.1",
               "mx-host=" + d + ",mx.evil.test,10"});
  const ToolRun r =
      run_tool(with(with(account_args(dns.server()), autoconfig.args()),
                    {"--discover-only", "--ispdb-url", "https://autoconfig." + d + "/v1.1/"}));
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("from ispdb_mx https://autoconfig." + d + "/v1.1/evil.test") !=
        std::string::npos);
  CHECK(r.out.find("WARNING: mail.evil.test is outside your address's domain " + d) !=
        std::string::npos);
  CHECK(r.out.find("using for IMAP: mail." + d) != std::string::npos);
  CHECK(r.out.find("using for SMTP: mail." + d) != std::string::npos);
  CHECK(r.out.find("using for IMAP: mail.evil.test") == std::string::npos);
}

TEST_CASE("discovery/--ispdb DIR finds the settings offline") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  const std::string d = domain();
  Dnsmasq dns({"host-record=mail." + d + ",127.0.0.1"});  // and no SRV, MX or autoconfig
  char tmpl[] = "/tmp/mv-ispdb-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  {
    std::ofstream f(dir + "/" + d + ".xml");
    f << stack_document(d, "mail." + d);
    REQUIRE(f.good());
  }
  const ToolRun r = run_tool(
      with(account_args(dns.server()), {"--discover-only", "--ispdb", dir, "--no-autodiscover"}));
  std::remove((dir + "/" + d + ".xml").c_str());
  ::rmdir(dir.c_str());
  INFO(r.all());
  CHECK(r.exit_code == 0);
  const std::string file = dir + "/" + d + ".xml";
  CHECK(r.out.find("ispdb_local " + file + ": found") != std::string::npos);
  CHECK(r.out.find("from ispdb_local " + file) != std::string::npos);
  // The HTTPS sources' hosts were asked at --dns-server too: they do not exist there.
  CHECK(r.out.find("autoconfig." + d + " does not exist (NXDOMAIN at " + dns.server() + ")") !=
        std::string::npos);
  CHECK(r.out.find("you named the local ISPDB (--ispdb)") != std::string::npos);
  CHECK(r.out.find("using for IMAP: mail." + d) != std::string::npos);
  CHECK(r.out.find("autodiscover") == std::string::npos);  // --no-autodiscover
}

}  // namespace mv::test

namespace mv::test {

TEST_CASE("discovery/Autodiscover's redirectAddr is asked once more, never twice") {
  if (!have_dnsmasq()) {
    MESSAGE("skipped: no dnsmasq (scripts/setup.sh installs dnsmasq-base)");
    return;
  }
  const std::string d = domain();
  AutoconfigServer server;
  // Every answer redirects to bob@<domain>: a loop the tool must cut after one more question.
  server.write(
      "redirect-addr.xml",
      R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectAddr</Action><RedirectAddr>bob@)" +
          d + R"(</RedirectAddr></Account></Response></Autodiscover>)");
  server.write("routes.json",
               R"({"/autodiscover/autodiscover.xml": {"file": "redirect-addr.xml"}})");
  Dnsmasq dns(stack_records());
  const ToolRun r =
      run_tool(with(account_args(dns.server()),
                    {"--discover-only", "--connect-to",
                     "autodiscover." + d + ":443:127.0.0.1:" + std::to_string(server.port)}));
  INFO(r.all());
  CHECK(r.exit_code == 0);  // SRV still finds the stack
  CHECK(r.out.find("redirects to the address bob@" + d + ": asked once more") != std::string::npos);
  CHECK(r.out.find("it redirects again, to bob@" + d + ": not followed") != std::string::npos);
  CHECK(r.out.find(": failed: the redirectAddr bob@" + d + " redirects again, to bob@" + d +
                   ": not followed (one redirectAddr is asked)") != std::string::npos);
  const std::string log = server.requests();
  std::size_t posts = 0;
  for (std::size_t at = log.find("\"method\": \"POST\""); at != std::string::npos;
       at = log.find("\"method\": \"POST\"", at + 1))
    ++posts;
  CHECK(posts == 2);  // the address, then bob once
  CHECK(log.find("bob@" + d) != std::string::npos);
}

}  // namespace mv::test
