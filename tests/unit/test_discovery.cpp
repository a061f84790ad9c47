// SPDX-License-Identifier: Apache-2.0
// Settings discovery's pure parts: RFC 2782 SRV order, the "." record, the ranking with its
// trust notes and warnings, MX recognition (providers and filters), registered domains, the name
// server options and resolv.conf, how the command line asks for discovery (--ispdb, --ispdb-url,
// --no-autodiscover too), an HTTPS source's status from its outcome, and how the outputs show a
// source's provenance (origin, final URL, redirects, error code).
#include <doctest/doctest.h>

#include <sstream>

#include "engine/discovery.hpp"
#include "engine/srv_discovery.hpp"
#include "tools/discovery_output.hpp"
#include "tools/mx_providers.hpp"
#include "tools/name_servers.hpp"
#include "tools/options.hpp"

namespace {

using namespace mv;

dns::Record srv(std::string target, std::uint16_t priority, std::uint16_t weight,
                std::uint16_t port = 993) {
  dns::Record r;
  r.type = dns::kTypeSrv;
  r.target = std::move(target);
  r.priority = priority;
  r.weight = weight;
  r.port = port;
  return r;
}

SettingsCandidate candidate(SettingsSource source, std::string host, TlsMode tls,
                            bool trusted = false, int priority = 0) {
  SettingsCandidate c;
  c.role = ServerRole::imap;
  c.host = std::move(host);
  c.port = tls == TlsMode::implicit ? 993 : 143;
  c.tls = tls;
  c.source = source;
  c.identity_trusted = trusted;
  c.priority = priority;
  return c;
}

tool::CommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "verify-roundtrip");
  return tool::parse_command_line(args);
}

}  // namespace

TEST_CASE("discovery/SRV order: priority first, then weighted among equals (RFC 2782)") {
  const std::vector<dns::Record> records{srv("c", 20, 0), srv("a", 10, 0), srv("b1", 10, 60),
                                         srv("b2", 10, 40)};
  // A random source that always says 0: the first record in the running sum >= 0 wins, i.e. the
  // weight-0 record RFC 2782 puts first.
  auto order = srv_order(records, [](unsigned) { return 0u; });
  REQUIRE(order.size() == 4);
  CHECK(order[0].target == "a");
  CHECK(order[3].target == "c");
  // Always the top of the range: the heaviest remaining sums last.
  order = srv_order(records, [](unsigned n) { return n - 1; });
  CHECK(order[0].target == "b2");  // sum 0, 60, 100: pick 100 -> b2
  CHECK(order[1].target == "b1");
  CHECK(order[2].target == "a");
  CHECK(order[3].target == "c");
}

TEST_CASE("discovery/SRV '.' says the service is not available: a note, no candidate") {
  SourceOutcome out;
  const SrvService& pop3s = srv_services()[4];
  srv_candidates(pop3s, "_pop3s._tcp.example.test", {srv(".", 0, 0, 0)}, false, out);
  CHECK(out.candidates.empty());
  REQUIRE(out.notes.size() == 1);
  CHECK(out.notes[0].find("decidedly not available") != std::string::npos);
  srv_candidates(srv_services()[2], "_imaps._tcp.example.test", {srv("mail.example.test", 0, 0)},
                 true, out);
  REQUIRE(out.candidates.size() == 1);
  CHECK(out.candidates[0].tls == TlsMode::implicit);
  CHECK(out.candidates[0].identity_trusted);  // validated by DNSSEC
}

TEST_CASE("discovery/ranking: source order, trust, SRV priority, implicit TLS at equal standing") {
  SourceOutcome srv_out, preset_out, mx_out;
  srv_out.candidates = {
      candidate(SettingsSource::srv, "imap.example.test", TlsMode::starttls),
      candidate(SettingsSource::srv, "mail.elsewhere.test", TlsMode::implicit),
      candidate(SettingsSource::srv, "mail.example.test", TlsMode::implicit),
      candidate(SettingsSource::srv, "late.example.test", TlsMode::implicit, false, 5)};
  mx_out.candidates = {
      candidate(SettingsSource::mx_provider, "outlook.office365.com", TlsMode::implicit, true)};
  preset_out.candidates = {
      candidate(SettingsSource::preset, "imap.preset.test", TlsMode::implicit, true)};
  const DiscoveryResult r = rank_candidates("example.test", {srv_out, mx_out, preset_out});
  std::vector<std::string> hosts;
  for (const RankedCandidate& c : r.ranked)
    hosts.push_back(c.candidate.host);
  CHECK(hosts == std::vector<std::string>{"imap.preset.test", "mail.example.test",
                                          "imap.example.test", "late.example.test",
                                          "outlook.office365.com", "mail.elsewhere.test"});
  CHECK(r.ranked.back().warning);
  CHECK(r.ranked.back().identity_note.find("outside your address's domain") != std::string::npos);
  CHECK(r.ranked[1].identity_note.find("under your address's domain") != std::string::npos);
  CHECK(r.ranked[4].identity_note.find("built-in provider table") != std::string::npos);
  REQUIRE(r.best(ServerRole::imap) != nullptr);
  CHECK(r.best(ServerRole::imap)->candidate.host == "imap.preset.test");
  CHECK(r.best(ServerRole::smtp) == nullptr);
}

TEST_CASE("discovery/MX recognition: providers, filters, unknown") {
  auto m = tool::recognise_mx("example-com.mail.protection.outlook.com");
  REQUIRE(m);
  CHECK(m->preset == "office365");
  CHECK_FALSE(m->filter);
  CHECK(tool::recognise_mx("alt1.aspmx.l.google.com")->preset == "gmail");
  CHECK(tool::recognise_mx("aspmx.l.google.com")->preset == "gmail");
  CHECK(tool::recognise_mx("in1-smtp.messagingengine.com")->preset == "fastmail");
  CHECK(tool::recognise_mx("eu-smtp-inbound-1.mimecast.com")->filter);
  CHECK(tool::recognise_mx("mx0a-001.pphosted.com")->filter);
  CHECK_FALSE(tool::recognise_mx("mail.example.test"));
  CHECK_FALSE(tool::recognise_mx("evilmimecast.com"));  // a suffix match needs the dot
  const tool::ProviderPreset* office = tool::preset_by_name("office365");
  REQUIRE(office);
  const auto c = tool::preset_candidates(*office, SettingsSource::mx_provider, "MX x");
  REQUIRE(c.size() == 3);  // SMTP, IMAP, POP3: the preset's own hosts, not copies
  CHECK(c[0].host == office->smtp.host);
  CHECK(c[1].host == office->imap.host);
}

TEST_CASE("discovery/--dns-server values and resolv.conf") {
  std::string error;
  auto s = tool::parse_dns_server("127.0.0.1:5353", error);
  REQUIRE(s);
  CHECK(s->address == "127.0.0.1");
  CHECK(s->port == 5353);
  s = tool::parse_dns_server("[::1]:53", error);
  REQUIRE(s);
  CHECK(s->address == "::1");
  CHECK(s->text() == "[::1]:53");
  s = tool::parse_dns_server("2001:db8::53", error);
  REQUIRE(s);
  CHECK(s->port == 53);
  CHECK_FALSE(tool::parse_dns_server("dns.example.test", error));
  CHECK(error.find("not an IPv4 or IPv6 address") != std::string::npos);
  CHECK_FALSE(tool::parse_dns_server("127.0.0.1:0", error));
  CHECK_FALSE(tool::parse_dns_server("127.0.0.1:", error));
  CHECK_FALSE(tool::parse_dns_server("[::1", error));
  const auto servers = tool::parse_resolv_conf(
      "# comment\nsearch example.test\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\n"
      "nameserver not-an-address\noptions edns0\n");
  REQUIRE(servers.size() == 2);
  CHECK(servers[0].address == "192.0.2.53");
  CHECK(servers[1].address == "fe80::1");
}

TEST_CASE("discovery/the command line: no host and no preset discovers; explicit fields win") {
  auto cl = parse({"--email", "me@example.test"});
  REQUIRE(cl.action == tool::Action::run);
  CHECK(cl.options.discovery.needed);
  CHECK(cl.options.config.smtp.endpoint.host.empty());
  cl = parse({"--email", "me@example.test", "--host", "mail.example.test"});
  REQUIRE(cl.action == tool::Action::run);
  CHECK_FALSE(cl.options.discovery.needed);
  CHECK_FALSE(cl.options.discovery.requested);
  cl = parse({"--email", "me@example.test", "--imap-host", "imap.example.test", "--smtp-port",
              "2525", "--discover-only", "--dns-server", "127.0.0.1:5353"});
  REQUIRE(cl.action == tool::Action::run);
  CHECK(cl.options.discovery.needed);  // SMTP has no host
  CHECK(cl.options.discovery.only);
  CHECK(cl.options.discovery.requested);
  CHECK(cl.options.discovery.incoming.host);
  CHECK(cl.options.discovery.smtp.port);
  CHECK_FALSE(cl.options.discovery.smtp.host);
  REQUIRE(cl.options.discovery.servers.size() == 1);
  CHECK(cl.options.discovery.servers[0].port == 5353);
  cl = parse({"--email", "me@example.test", "--dns-server", "dns.example.test"});
  CHECK(cl.action == tool::Action::usage_error);
  CHECK(cl.text.find("--dns-server dns.example.test") != std::string::npos);
  cl = parse({"--email", "me@gmail.com"});  // a preset: no discovery needed
  CHECK_FALSE(cl.options.discovery.needed);
}

TEST_CASE("discovery/--ispdb, --ispdb-url (https only), --no-autodiscover") {
  auto cl = parse({"--email", "me@example.test"});
  REQUIRE(cl.action == tool::Action::run);
  CHECK(cl.options.discovery.ispdb_path.empty());
  CHECK(cl.options.discovery.ispdb_url == "https://autoconfig.thunderbird.net/v1.1/");
  CHECK(cl.options.discovery.autodiscover);
  cl = parse({"--email", "me@example.test", "--ispdb", "/srv/ispdb", "--ispdb-url",
              "https://mirror.example.test/ispdb/", "--no-autodiscover"});
  REQUIRE(cl.action == tool::Action::run);
  CHECK(cl.options.discovery.ispdb_path == "/srv/ispdb");
  CHECK(cl.options.discovery.ispdb_url == "https://mirror.example.test/ispdb/");
  CHECK_FALSE(cl.options.discovery.autodiscover);
  cl = parse({"--email", "me@example.test", "--ispdb-url", "http://mirror.example.test/"});
  CHECK(cl.action == tool::Action::usage_error);
  CHECK(cl.text.find("--ispdb-url \"http://mirror.example.test/\" is not an https:// URL") !=
        std::string::npos);
}

TEST_CASE("discovery/an HTTPS source's status: found, nothing (no such host, 404), failed") {
  SourceOutcome out;
  out.origin = "https://autoconfig.example.test/mail/config-v1.1.xml";
  out.final_url = out.origin;
  out.error = make_error(ErrorKind::dns, Protocol::none, "cannot resolve host name");
  settle_status(out);
  CHECK(out.status == SourceStatus::nothing);
  CHECK(out.detail == "cannot resolve host name");
  out.error = make_error(ErrorKind::discover_not_found, Protocol::none, "answered HTTP 404");
  settle_status(out);
  CHECK(out.status == SourceStatus::nothing);
  out.error = make_error(ErrorKind::unknown_ca, Protocol::none, "certificate not trusted");
  settle_status(out);
  CHECK(out.status == SourceStatus::failed);
  CHECK(out.detail == "certificate not trusted");
  out.error = Error{};
  out.candidates = {candidate(SettingsSource::autoconfig_subdomain, "imap.example.test",
                              TlsMode::implicit, true)};
  settle_status(out);
  CHECK(out.status == SourceStatus::found);
  CHECK(out.detail == "1 server setting(s) from " + out.origin);
}

TEST_CASE("discovery/outputs: each source with its origin, final URL, redirects and error") {
  SourceOutcome redirected;
  redirected.source = SettingsSource::autoconfig_well_known;
  redirected.origin = "https://example.test/.well-known/autoconfig/mail/config-v1.1.xml";
  redirected.final_url = "https://www.example.test/config.xml";
  redirected.redirects = {redirected.origin + " -> " + redirected.final_url};
  redirected.candidates = {candidate(SettingsSource::autoconfig_well_known, "imap.example.test",
                                     TlsMode::implicit, true)};
  redirected.candidates[0].origin = redirected.final_url;
  settle_status(redirected);
  SourceOutcome refused;
  refused.source = SettingsSource::autodiscover;
  refused.origin = "https://autodiscover.example.test/autodiscover/autodiscover.xml";
  refused.error =
      make_error(ErrorKind::discover_needs_auth, Protocol::none, "answers only with credentials");
  settle_status(refused);
  tool::DiscoveryReport report;
  report.ran = true;
  report.result = rank_candidates("example.test", {redirected, refused});
  std::ostringstream human;
  tool::print_discovery(human, report);
  const std::string h = human.str();
  CHECK(h.find("autoconfig_well_known " + redirected.origin + ": found") != std::string::npos);
  CHECK(h.find("    redirected: " + redirected.redirects[0]) != std::string::npos);
  CHECK(h.find("    answered by: " + redirected.final_url) != std::string::npos);
  CHECK(h.find("autodiscover " + refused.origin + ": failed: answers only with credentials") !=
        std::string::npos);
  CHECK(h.find("from autoconfig_well_known " + redirected.final_url) != std::string::npos);
  const std::string j = tool::discovery_json(report);
  CHECK(j.find("\"final_url\":\"" + redirected.final_url + "\",\"redirects\":[\"" +
               redirected.redirects[0] + "\"]") != std::string::npos);
  CHECK(j.find("\"error\":\"discover.needs_auth\"") != std::string::npos);
  CHECK(j.find("\"source\":\"autodiscover\",\"origin\":\"" + refused.origin +
               "\",\"final_url\":null") != std::string::npos);
}
