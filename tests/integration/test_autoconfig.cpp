// SPDX-License-Identifier: Apache-2.0
// Settings discovery over HTTPS against real parts: a local HTTPS server
// (tests/autoconfig/autoconfig_server.py, serving with the mail stack's certificate for
// "localhost", checked with the stack's CA) answers autoconfig documents and Autodiscover, and
// misbehaves on request. The engine's fetch functions run in a Pump as the discovery plan will
// run them, with https://localhost:PORT/... URLs directly. The settings an autoconfig document
// gives are then used for a real round trip on the stack; a redirect within the domain, one to
// another domain, one to http://, a redirect loop, a huge body, malformed XML, a document for
// another domain, a 404, a 401 from Autodiscover, an untrusted certificate and a server that
// never answers each give their clear outcome, in time.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/autoconfig_source.hpp"
#include "engine/autodiscover_source.hpp"
#include "engine/discovery_urls.hpp"
#include "tests/integration/autoconfig_server.hpp"
#include "tests/integration/stack.hpp"

namespace mv::test {

namespace {

std::unique_ptr<TlsContext> stack_tls(bool stack_ca = true) {
  Error error;
  TlsContextOptions options;
  if (stack_ca) options.ca_file = stack().get("MAILSTACK_CA");
  auto tls = TlsContext::create(options, error);
  REQUIRE_MESSAGE(tls, error.detail);
  return tls;
}

Timeouts short_timeouts() {
  Timeouts t;
  t.connect = 2000;
  t.handshake = 2000;
  t.idle = 1500;
  return t;
}

struct Ran {
  SourceOutcome out;
  double ms = 0;
};

Task<void> collect(Task<SourceOutcome> task, SourceOutcome* out) {
  *out = co_await std::move(task);
}

Ran run(Pump& pump, Task<SourceOutcome> task) {
  Ran r;
  const auto start = std::chrono::steady_clock::now();
  pump.spawn(collect(std::move(task), &r.out));
  pump.run();
  r.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return r;
}

Ran autoconfig(const AutoconfigServer& server, const std::string& path,
               const std::string& email = "alice@mailverify.test",
               const std::string& domain = "mailverify.test", bool stack_ca = true) {
  auto tls = stack_tls(stack_ca);
  Report report;
  Pump pump;
  return run(pump, fetch_autoconfig(pump, *tls, SettingsSource::autoconfig_subdomain,
                                    server.url(path), email, domain, short_timeouts(), report));
}

Ran autodiscover(const AutoconfigServer& server, const std::string& path) {
  auto tls = stack_tls();
  Report report;
  Pump pump;
  return run(pump, fetch_autodiscover(pump, *tls, server.url(path), "alice@mailverify.test",
                                      short_timeouts(), report));
}

const SettingsCandidate* find_role(const SourceOutcome& out, ServerRole role) {
  for (const SettingsCandidate& c : out.candidates)
    if (c.role == role) return &c;
  return nullptr;
}

bool has_note(const SourceOutcome& out, const std::string& part) {
  for (const std::string& n : out.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("autoconfig: the stack's settings from a document, used for a real round trip") {
  AutoconfigServer server;
  server.write("config-v1.1.xml", stack_document());
  server.write("routes.json", R"({"/mail/config-v1.1.xml": {"file": "config-v1.1.xml"}})");
  const Ran r = autoconfig(server, "/mail/config-v1.1.xml?emailaddress=alice%40mailverify.test");
  REQUIRE_MESSAGE(!r.out.error, r.out.error.code << ": " << r.out.error.detail);
  CHECK(r.out.source == SettingsSource::autoconfig_subdomain);
  REQUIRE(r.out.candidates.size() == 3);
  const Stack& s = stack();
  const SettingsCandidate* imap = find_role(r.out, ServerRole::imap);
  const SettingsCandidate* pop3 = find_role(r.out, ServerRole::pop3);
  const SettingsCandidate* smtp = find_role(r.out, ServerRole::smtp);
  REQUIRE(imap);
  REQUIRE(pop3);
  REQUIRE(smtp);
  CHECK(imap->host == "localhost");
  CHECK(std::to_string(imap->port) == s.get("MAILSTACK_IMAPS_PORT"));
  CHECK(imap->tls == TlsMode::implicit);
  CHECK(imap->username == "alice@mailverify.test");
  CHECK(imap->auth == std::vector<std::string>{"password-cleartext"});
  CHECK(std::to_string(pop3->port) == s.get("MAILSTACK_POP3S_PORT"));
  CHECK(std::to_string(smtp->port) == s.get("MAILSTACK_SMTP_SUBMISSION_PORT"));
  CHECK(smtp->tls == TlsMode::starttls);
  CHECK(imap->origin == server.url("/mail/config-v1.1.xml?emailaddress=alice%40mailverify.test"));
  // Served by localhost, not from within mailverify.test: not trusted to name the certificate's
  // host, and said so.
  CHECK_FALSE(imap->identity_trusted);
  CHECK(has_note(r.out, "not from within mailverify.test"));
  CHECK(server.requests().find("\"method\": \"GET\"") != std::string::npos);

  // The settings work: the round trip passes with exactly what the document said.
  const ToolRun run = run_tool({"--email",        imap->username,
                                "--host",         imap->host,
                                "--imap-port",    std::to_string(imap->port),
                                "--imap-tls",     std::string(tls_mode_name(imap->tls)),
                                "--smtp-host",    smtp->host,
                                "--smtp-port",    std::to_string(smtp->port),
                                "--smtp-tls",     std::string(tls_mode_name(smtp->tls)),
                                "--cafile",       s.get("MAILSTACK_CA"),
                                "--password-env", "MV_TEST_PASSWORD",
                                "--check",        "none",
                                "--timeout",      "10"},
                               {"MV_TEST_PASSWORD=" + s.get("MAILSTACK_PASS1")});
  CHECK_MESSAGE(run.exit_code == 0, run.all());
}

TEST_CASE("autoconfig: within the address's domain and after a same-domain redirect: trusted") {
  AutoconfigServer server;
  server.write("config-v1.1.xml", stack_document("localhost"));
  server.write("routes.json", R"({"/mail/config-v1.1.xml": {"file": "config-v1.1.xml"},
    "/moved": {"status": 301, "location": "/mail/config-v1.1.xml"}})");
  const Ran r = autoconfig(server, "/moved", "alice@localhost", "localhost");
  REQUIRE_MESSAGE(!r.out.error, r.out.error.code << ": " << r.out.error.detail);
  CHECK_FALSE(r.out.left_domain);
  REQUIRE(r.out.redirects.size() == 1);
  CHECK(r.out.redirects[0] == server.url("/moved") + " -> " + server.url("/mail/config-v1.1.xml"));
  CHECK(r.out.final_url == server.url("/mail/config-v1.1.xml"));
  REQUIRE(r.out.candidates.size() == 3);
  for (const SettingsCandidate& c : r.out.candidates)
    CHECK(c.identity_trusted);
}

TEST_CASE("autoconfig: a redirect to another domain is followed, reported and distrusted") {
  AutoconfigServer server;
  server.write("config-v1.1.xml", stack_document("localhost"));
  // 127.0.0.1 is another "domain" than localhost (the stack's certificate names both).
  server.write("routes.json", R"({"/mail/config-v1.1.xml": {"file": "config-v1.1.xml"},
    "/elsewhere": {"status": 302, "location": "https://127.0.0.1:)" +
                                  std::to_string(server.port) + R"(/mail/config-v1.1.xml"}})");
  const Ran r = autoconfig(server, "/elsewhere", "alice@localhost", "localhost");
  REQUIRE_MESSAGE(!r.out.error, r.out.error.code << ": " << r.out.error.detail);
  CHECK(r.out.left_domain);
  CHECK(has_note(r.out, "a redirect left the domain"));
  CHECK(has_note(r.out, "-> https://127.0.0.1:"));
  REQUIRE(r.out.candidates.size() == 3);
  for (const SettingsCandidate& c : r.out.candidates)
    CHECK_FALSE(c.identity_trusted);
}

TEST_CASE("autoconfig: redirects to http://, without end, and without Location are refused") {
  AutoconfigServer server;
  server.write("routes.json", R"({
    "/plain": {"status": 302, "location": "http://localhost/mail/config-v1.1.xml"},
    "/loop": {"status": 307, "location": "/loop"},
    "/nowhere": {"status": 302}})");
  Ran r = autoconfig(server, "/plain");
  CHECK(r.out.error.code == "discover.redirect");
  CHECK(r.out.error.detail.find("plain http://localhost") != std::string::npos);
  r = autoconfig(server, "/loop");
  CHECK(r.out.error.code == "discover.redirect");
  CHECK(r.out.redirects.size() == kDefaultLimits.max_redirects);
  r = autoconfig(server, "/nowhere");
  CHECK(r.out.error.code == "discover.redirect");
  CHECK(r.out.candidates.empty());
}

TEST_CASE("autoconfig: a huge body, malformed XML, another domain's document, a 404") {
  AutoconfigServer server;
  server.write("malformed.xml", "<clientConfig><emailProvider><domain>mailverify.test</domain>");
  server.write("other.xml", stack_document("other.example"));
  server.write("html.xml", "<html><body>Welcome to our web site</body></html>");
  server.write("routes.json", R"({
    "/huge": {"repeat": "<x>", "count": 1000000},
    "/malformed": {"file": "malformed.xml"},
    "/other": {"file": "other.xml"},
    "/html": {"file": "html.xml"}})");
  Ran r = autoconfig(server, "/huge");
  CHECK(r.out.error.code == "http.too_large");
  r = autoconfig(server, "/malformed");
  CHECK(r.out.error.code == "xml.syntax");
  CHECK(r.out.error.detail.find(server.url("/malformed")) != std::string::npos);
  r = autoconfig(server, "/other");
  CHECK(r.out.error.code == "discover.wrong_domain");
  CHECK(r.out.error.detail.find("for other.example, not for mailverify.test") != std::string::npos);
  CHECK(r.out.candidates.empty());
  r = autoconfig(server, "/html");
  CHECK(r.out.error.code == "discover.document");
  r = autoconfig(server, "/mail/config-v1.1.xml");
  CHECK(r.out.error.code == "discover.not_found");
  CHECK(r.out.error.category == Category::protocol);
}

TEST_CASE("autoconfig: a certificate the CA does not vouch for, a server that never answers") {
  AutoconfigServer server;
  server.write("config-v1.1.xml", stack_document());
  server.write("routes.json", R"({"/mail/config-v1.1.xml": {"file": "config-v1.1.xml"},
    "/stall": {"hang": true}})");
  // The system's CAs do not know the stack's throwaway CA.
  Ran r = autoconfig(server, "/mail/config-v1.1.xml", "alice@mailverify.test", "mailverify.test",
                     false);
  CHECK(r.out.error.category == Category::tls);
  CHECK(r.out.candidates.empty());
  r = autoconfig(server, "/stall");
  CHECK(r.out.error.category == Category::network);
  CHECK(r.out.candidates.empty());
  CHECK(r.ms < 5000);  // the 1.5 s idle timeout, not a hang
}

TEST_CASE("ispdb: by the address's domain and by the MX host's domain, from a mirror") {
  AutoconfigServer server;
  server.write("v1.1/mailverify.test", stack_document());
  server.write("v1.1/mx.example", stack_document("mx.example"));
  auto tls = stack_tls();
  Report report;
  Pump pump;
  const std::string base = server.url("/v1.1");  // a mirror: ispdb_url adds the '/'
  Ran r = run(
      pump, fetch_autoconfig(pump, *tls, SettingsSource::ispdb, ispdb_url(base, "mailverify.test"),
                             "alice@mailverify.test", "mailverify.test", short_timeouts(), report));
  REQUIRE_MESSAGE(!r.out.error, r.out.error.code << ": " << r.out.error.detail);
  CHECK(r.out.origin == server.url("/v1.1/mailverify.test"));
  REQUIRE(r.out.candidates.size() == 3);
  CHECK(r.out.candidates[0].source == SettingsSource::ispdb);
  CHECK(r.out.candidates[0].identity_trusted);  // curated (here: the mirror the user chose)

  // By the MX's domain: the document must cover that domain, the login is still the address,
  // and what DNS chose may not name the certificate's host.
  r = run(pump,
          fetch_autoconfig(pump, *tls, SettingsSource::ispdb_mx, ispdb_url(base, "mx.example"),
                           "alice@mailverify.test", "mx.example", short_timeouts(), report));
  REQUIRE_MESSAGE(!r.out.error, r.out.error.code << ": " << r.out.error.detail);
  REQUIRE(r.out.candidates.size() == 3);
  CHECK(r.out.candidates[0].username == "alice@mailverify.test");
  CHECK_FALSE(r.out.candidates[0].identity_trusted);
  CHECK(has_note(r.out, "asked by the MX host's domain mx.example"));
  // The report has the source's own steps.
  bool connect_step = false;
  for (const StepRecord& step : report.steps)
    connect_step = connect_step || step.name == "discover.ispdb_mx.connect";
  CHECK(connect_step);
}

TEST_CASE("discovery: sources run concurrently in one loop; a stalled one holds up no other") {
  AutoconfigServer server;
  server.write("config-v1.1.xml", stack_document());
  server.write("routes.json", R"({"/mail/config-v1.1.xml": {"file": "config-v1.1.xml"},
    "/stall": {"hang": true}})");
  auto tls = stack_tls();
  Report report;
  Pump pump;
  SourceOutcome good, well_known, stalled;
  const auto start = std::chrono::steady_clock::now();
  pump.spawn(collect(
      fetch_autoconfig(pump, *tls, SettingsSource::autoconfig_subdomain, server.url("/stall"),
                       "alice@mailverify.test", "mailverify.test", short_timeouts(), report),
      &stalled));
  pump.spawn(collect(fetch_autoconfig(pump, *tls, SettingsSource::autoconfig_subdomain,
                                      server.url("/mail/config-v1.1.xml"), "alice@mailverify.test",
                                      "mailverify.test", short_timeouts(), report),
                     &good));
  pump.spawn(collect(fetch_autoconfig(pump, *tls, SettingsSource::autoconfig_well_known,
                                      server.url("/mail/config-v1.1.xml"), "alice@mailverify.test",
                                      "mailverify.test", short_timeouts(), report),
                     &well_known));
  pump.run();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  CHECK(good.candidates.size() == 3);
  CHECK(well_known.candidates.size() == 3);
  CHECK(well_known.candidates[0].source == SettingsSource::autoconfig_well_known);
  CHECK(stalled.error.category == Category::network);
  CHECK(ms < 5000);  // one idle timeout (1.5 s), not one per source in turn
}

TEST_CASE("autodiscover: 401 is 'answers only with credentials', and none were sent") {
  AutoconfigServer server;
  server.write("routes.json", R"({"/autodiscover/autodiscover.xml":
    {"status": 401, "headers": {"WWW-Authenticate": "Basic realm=\"autodiscover\""}}})");
  const Ran r = autodiscover(server, "/autodiscover/autodiscover.xml");
  CHECK(r.out.error.code == "discover.needs_auth");
  CHECK(r.out.error.category == Category::auth);
  CHECK(r.out.error.detail.find("answers only with the account's credentials") !=
        std::string::npos);
  const std::string sent = server.requests();
  CHECK(sent.find("\"method\": \"POST\"") != std::string::npos);
  CHECK(sent.find("<EMailAddress>alice@mailverify.test</EMailAddress>") != std::string::npos);
  CHECK(sent.find("Authorization") == std::string::npos);
  CHECK(sent.find(stack().get("MAILSTACK_PASS1")) == std::string::npos);
}

TEST_CASE("autodiscover: settings, redirectUrl followed, redirectAddr handed back, errors") {
  AutoconfigServer server;
  const Stack& s = stack();
  server.write("settings.xml",
               R"(<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account><AccountType>email</AccountType><Action>settings</Action>
      <Protocol><Type>EXCH</Type><Server>exchange.mailverify.test</Server></Protocol>
      <Protocol><Type>IMAP</Type><Server>localhost</Server><Port>)" +
                   s.get("MAILSTACK_IMAPS_PORT") +
                   R"(</Port><LoginName>alice@mailverify.test</LoginName><SSL>on</SSL></Protocol>
      <Protocol><Type>SMTP</Type><Server>localhost</Server><Port>)" +
                   s.get("MAILSTACK_SMTP_SUBMISSION_PORT") +
                   R"(</Port><Encryption>TLS</Encryption></Protocol>
    </Account>
  </Response>
</Autodiscover>)");
  server.write(
      "redirect-url.xml",
      R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectUrl</Action><RedirectUrl>)" +
          server.url("/ok/autodiscover.xml") +
          R"(</RedirectUrl></Account></Response></Autodiscover>)");
  server.write(
      "redirect-addr.xml",
      R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectAddr</Action><RedirectAddr>alice@mailverify.example</RedirectAddr></Account></Response></Autodiscover>)");
  server.write(
      "error.xml",
      R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response><Error Time="1" Id="2"><ErrorCode>600</ErrorCode><Message>Invalid Request</Message></Error></Response></Autodiscover>)");
  server.write("routes.json", R"({"/ok/autodiscover.xml": {"file": "settings.xml"},
    "/url/autodiscover.xml": {"file": "redirect-url.xml"},
    "/addr/autodiscover.xml": {"file": "redirect-addr.xml"},
    "/error/autodiscover.xml": {"file": "error.xml"}})");

  Ran r = autodiscover(server, "/ok/autodiscover.xml");
  REQUIRE_MESSAGE(!r.out.error, r.out.error.code << ": " << r.out.error.detail);
  REQUIRE(r.out.candidates.size() == 2);
  CHECK(r.out.candidates[0].role == ServerRole::imap);
  CHECK(r.out.candidates[0].tls == TlsMode::implicit);
  CHECK(r.out.candidates[0].source == SettingsSource::autodiscover);
  CHECK(r.out.candidates[1].role == ServerRole::smtp);
  CHECK(r.out.candidates[1].tls == TlsMode::starttls);
  CHECK(has_note(r.out, "Exchange-only protocols (EXCH)"));

  r = autodiscover(server, "/url/autodiscover.xml");
  REQUIRE_MESSAGE(!r.out.error, r.out.error.code << ": " << r.out.error.detail);
  CHECK(r.out.final_url == server.url("/ok/autodiscover.xml"));
  CHECK(r.out.candidates.size() == 2);
  CHECK(has_note(r.out, "Autodiscover redirectUrl"));

  r = autodiscover(server, "/addr/autodiscover.xml");
  CHECK(r.out.error.code == "discover.redirect");
  CHECK(r.out.redirect_email == "alice@mailverify.example");
  CHECK(r.out.candidates.empty());

  r = autodiscover(server, "/error/autodiscover.xml");
  CHECK(r.out.error.code == "discover.refused");
  CHECK(r.out.error.server_says == "Invalid Request");
}

}  // namespace mv::test
