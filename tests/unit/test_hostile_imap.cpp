// SPDX-License-Identifier: Apache-2.0
// Hostile IMAP servers against the real engine (mv::run, receive-only): STARTTLS stripping and
// refusal, injection after the tagged OK, PREAUTH/BYE/garbage greetings, forged tags, certificate
// failures, literal and line abuse after TLS, dead servers. Each case asserts the exact error,
// that no LOGIN/AUTHENTICATE (and never the password) reached the wire where it must not, and that
// run() returned within its bound.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/hostile.hpp"

namespace {

using mv::Category;
using mv::Receive;
using mv::TlsMode;
using mv::test::CertSpec;
using mv::test::TestCa;
using namespace mv::test::hostile;

mv::RunConfig imap_config(const std::string& ca, unsigned port, TlsMode mode = TlsMode::starttls) {
  return incoming_config(ca, port, Receive::imap, mode);
}

// Greeting offering STARTTLS (and tempting with AUTH=PLAIN), STARTTLS accepted, handshake.
void to_tls(Peer& p, const std::string& cert, const std::string& key) {
  p.send("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hostile IMAP ready\r\n");
  const std::string tag = p.expect_imap("STARTTLS");
  p.send(tag + " OK Begin TLS negotiation now\r\n");
  if (!p.start_tls(cert, key)) p.abort("server TLS handshake failed");
}

// Implicit TLS from the greeting through AUTHENTICATE PLAIN and SELECT to the ready state.
void to_selected(Peer& p) {
  p.send("* OK hostile IMAP ready\r\n");
  std::string tag = p.expect_imap("CAPABILITY");
  p.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n" + tag + " OK done\r\n");
  tag = p.expect_imap("AUTHENTICATE PLAIN");
  p.send(tag + " OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] logged in\r\n");
  tag = p.expect_imap("SELECT");
  p.send("* 1 EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n* OK [UIDNEXT 8] ok\r\n" + tag +
         " OK [READ-WRITE] selected\r\n");
}

// at_ms: the exact virtual time the run ended; 0 (the default) means at once, no timer ran out.
void check_error(const Timed& t, const char* code, Category category, double at_ms = 0) {
  INFO("error: ", t.error().code, " / ", t.error().detail, " / ", t.error().server_says);
  CHECK_FALSE(t.result.report.ok());
  CHECK(t.error().code == code);
  CHECK(t.error().category == category);
  CHECK(t.ms == at_ms);
  CHECK_FALSE(error_leaks(t.error(), kCanary));
}

void check_no_login(const HostileServer& s) {
  for (const char* verb : {"LOGIN", "AUTHENTICATE", "SELECT"}) {
    INFO("verb ", verb);
    CHECK_FALSE(s.wire().saw(verb));
  }
  CHECK_FALSE(s.wire().leaks(kCanary));
}

// The commands (second words) the client sent, in order.
std::vector<std::string> commands(const HostileServer& s) {
  std::vector<std::string> out;
  for (const std::string& line : s.wire().lines()) {
    const auto w = Wire::words(line);
    out.push_back(w.size() >= 2 ? w[1] : line);
  }
  return out;
}

using Lines = std::vector<std::string>;

void starttls_refused_case(const char* status) {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hostile IMAP ready\r\n");
    const std::string tag = p.expect_imap("STARTTLS");
    p.send(tag + " " + status + " STARTTLS not now\r\n");
  });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "imap.starttls_refused", Category::tls);
  CHECK(t.error().server_says.find("not now") != std::string::npos);
  CHECK(commands(s) == Lines{"STARTTLS"});
  check_no_login(s);
  CHECK(s.script_error().empty());
}

}  // namespace

TEST_CASE("hostile/imap: STARTTLS not advertised is an error, never LOGIN in plaintext") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send("* OK hostile IMAP ready\r\n");
    const std::string tag = p.expect_imap("CAPABILITY");
    p.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n" + tag + " OK done\r\n");
  });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "imap.starttls_unavailable", Category::tls);
  CHECK(commands(s) == Lines{"CAPABILITY"});
  check_no_login(s);
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/imap: STARTTLS refused with NO stops before any credentials") {
  starttls_refused_case("NO");
}

TEST_CASE("hostile/imap: STARTTLS refused with BAD stops before any credentials") {
  starttls_refused_case("BAD");
}

TEST_CASE("hostile/imap: bytes injected after the STARTTLS tagged OK abort before ClientHello") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send("* OK [CAPABILITY IMAP4rev1 STARTTLS] hostile IMAP ready\r\n");
    const std::string tag = p.expect_imap("STARTTLS");
    p.wire().mark();
    p.send(tag + " OK Begin TLS now\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
  });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "imap.starttls_injection", Category::tls);
  CHECK(s.wire().since_mark().empty());
  CHECK(commands(s) == Lines{"STARTTLS"});
  check_no_login(s);
}

TEST_CASE("hostile/imap: a tagged OK for a tag the client never sent is imap.unknown_tag") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send("* OK [CAPABILITY IMAP4rev1 STARTTLS] hostile IMAP ready\r\n");
    const std::string tag = p.expect_imap("STARTTLS");
    p.wire().mark();
    // The client's tags are "M" and ten characters: this one cannot be in flight.
    if (tag == "A0001") p.abort("unexpected client tag");
    p.send("A0001 OK Begin TLS now\r\n");
  });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "imap.unknown_tag", Category::protocol);
  CHECK(s.wire().since_mark().empty());  // no handshake on a forged OK
  check_no_login(s);
}

TEST_CASE("hostile/imap: PREAUTH on a STARTTLS connection is imap.preauth_before_tls") {
  Pki k;
  MemoryNet net;
  HostileServer s(net,
                  [&](Peer& p) { p.send("* PREAUTH [CAPABILITY IMAP4rev1] welcome back\r\n"); });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "imap.preauth_before_tls", Category::tls);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/imap: a BYE greeting is imap.greeting_bye and nothing is sent") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) { p.send("* BYE Too many connections from your IP\r\n"); });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "imap.greeting_bye", Category::protocol);
  CHECK(t.error().server_says.find("Too many connections") != std::string::npos);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/imap: a garbage greeting (an HTTP server) is a protocol error") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  // The response grammar rejects it before the greeting logic sees it.
  check_error(t, "imap.bad_response", Category::protocol);
  CHECK(t.error().server_says.find("HTTP/1.1 400") != std::string::npos);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/imap: an implicit-TLS port answering in plaintext is tls.plaintext_reply") {
  Pki k;
  MemoryNet net;
  HostileServer s(net,
                  [&](Peer& p) { p.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"); });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "tls.plaintext_reply", Category::tls);
  CHECK(t.error().server_says.find("* OK [CAPABILITY") != std::string::npos);
  CHECK(looks_like_client_hello(s.wire().all()));
  CHECK_FALSE(s.wire().saw("CAPABILITY"));
  check_no_login(s);
}

TEST_CASE("hostile/imap: a certificate for another host after STARTTLS is tls.bad_host") {
  Pki k;
  MemoryNet net;
  TestCa ca(k.dir.path(), "hostile CA", "hostile");
  const auto other = ca.issue("other", CertSpec{"imap.other.test", {"imap.other.test"}, false});
  HostileServer s(net, [&](Peer& p) { to_tls(p, other.cert, other.key); });
  const Timed t = run_timed(net, imap_config(ca.cert_file(), s.port()));
  REQUIRE(s.finish());
  check_error(t, "tls.bad_host", Category::tls);
  CHECK(t.error().step == "imap.tls");
  check_no_login(s);
}

TEST_CASE("hostile/imap: an expired certificate on implicit TLS is tls.expired") {
  Pki k;
  MemoryNet net;
  TestCa ca(k.dir.path(), "hostile CA", "hostile");
  CertSpec spec;
  spec.valid_from_days = -60;
  spec.valid_to_days = -2;
  const auto old = ca.issue("expired", spec);
  HostileServer s(
      net, [&](Peer& p) { p.send("* OK ready\r\n"); }, old.cert, old.key);
  const Timed t = run_timed(net, imap_config(ca.cert_file(), s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "tls.expired", Category::tls);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/imap: a literal size that overflows 64 bits is imap.literal_too_large") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        p.send("* OK hostile IMAP ready\r\n");
        const std::string tag = p.expect_imap("CAPABILITY");
        p.send("* CAPABILITY {184467440737095516170}\r\nIMAP4rev1\r\n" + tag + " OK done\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "imap.literal_too_large", Category::protocol);
  CHECK(commands(s) == Lines{"CAPABILITY"});
  check_no_login(s);
}

TEST_CASE("hostile/imap: a literal above the 256 MiB limit is refused before any allocation") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        p.send("* OK hostile IMAP ready\r\n");
        p.expect_imap("CAPABILITY");
        p.send("* CAPABILITY {268435457}\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "imap.literal_too_large", Category::protocol);
  check_no_login(s);
}

TEST_CASE("hostile/imap: a message literal cut short by close is an error, not a message") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        to_selected(p);
        std::string tag = p.expect_imap("UID SEARCH");
        p.send("* SEARCH 7\r\n" + tag + " OK search done\r\n");
        tag = p.expect_imap("UID FETCH 7");
        p.send("* 1 FETCH (UID 7 BODY[] {500}\r\nX-Mailverify-Token: abc\r\nSubject: cut");
        p.close();
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  INFO("script: ", s.script_error());
  check_error(t, "imap.connection_closed", Category::network);
  CHECK(t.error().detail.find("middle of a response") != std::string::npos);
  for (const mv::StepRecord& step : t.result.report.steps)
    CHECK_FALSE((step.name == "imap.verify" && step.ok));  // never "verified"
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/imap: an endless response line after TLS is imap.line_too_long") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        p.send("* OK hostile IMAP ready\r\n");
        p.expect_imap("CAPABILITY");
        p.send("* CAPABILITY IMAP4rev1 " + std::string(20000, 'X'));
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "imap.line_too_long", Category::protocol);
  check_no_login(s);
}

TEST_CASE("hostile/imap: a greeting that never comes is net.no_greeting within the idle bound") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer&) {});
  mv::RunConfig config = imap_config(k.pki.ca_file, s.port());
  config.timeouts.idle = 800;
  const Timed t = run_timed(net, config);
  REQUIRE(s.finish());
  check_error(t, "net.no_greeting", Category::network, 800);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/imap: TLS mode none without allow_plaintext never sends the password") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hostile IMAP ready\r\n");
  });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::none));
  REQUIRE(s.finish());
  check_error(t, "imap.plaintext_auth_refused", Category::policy);
  CHECK(s.wire().all().empty());
  check_no_login(s);
}

TEST_CASE("hostile/imap: LOGINDISABLED with no usable mechanism never falls back to LOGIN") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        p.send("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=GSSAPI] hostile IMAP ready\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "imap.login_disabled", Category::auth);
  check_no_login(s);
}

TEST_CASE("hostile/imap: a continuation request to STARTTLS is refused, no ClientHello") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send("* OK [CAPABILITY IMAP4rev1 STARTTLS] hostile IMAP ready\r\n");
    p.expect_imap("STARTTLS");
    p.wire().mark();
    p.send("+ send me your password\r\n");
  });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "imap.unexpected_continuation", Category::protocol);
  CHECK(s.wire().since_mark().empty());
  check_no_login(s);
}

TEST_CASE("hostile/imap: an untagged BYE in the middle of SELECT is imap.bye") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        p.send("* OK hostile IMAP ready\r\n");
        std::string tag = p.expect_imap("CAPABILITY");
        p.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n" + tag + " OK done\r\n");
        tag = p.expect_imap("AUTHENTICATE PLAIN");
        p.send(tag + " OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] logged in\r\n");
        p.expect_imap("SELECT");
        p.send("* 1 EXISTS\r\n* BYE shutting down for maintenance\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "imap.bye", Category::protocol);
  CHECK(t.error().server_says.find("maintenance") != std::string::npos);
  CHECK_FALSE(s.wire().saw("UID"));
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/imap: parenthesised lists nested past the limit are a protocol error") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        to_selected(p);
        const std::string tag = p.expect_imap("UID SEARCH");
        p.send("* FLAGS " + std::string(200, '(') + std::string(200, ')') + "\r\n" + tag +
               " OK done\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "imap.bad_response", Category::protocol);
  CHECK_FALSE(s.wire().saw("UID FETCH"));
  CHECK(s.script_error().empty());
}

namespace {

TEST_CASE("hostile/imap: pre-TLS untagged data leaves no trace after STARTTLS") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send("* OK hostile IMAP ready\r\n");
    std::string tag = p.expect_imap("CAPABILITY");
    // Everything here comes before TLS: a man in the middle could have written it.
    p.send(
        "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR\r\n* 4242424 EXISTS\r\n"
        "* OK [ALERT] pre-TLS alert: log in at evil.example\r\n* LIST () \"/\" EvilFolder\r\n"
        "* 7 FETCH (FLAGS (\\Seen))\r\n" +
        tag + " OK done\r\n");
    tag = p.expect_imap("STARTTLS");
    p.send(tag + " OK Begin TLS negotiation now\r\n");
    if (!p.start_tls(k.pki.cert_file, k.pki.key_file)) p.abort("server TLS handshake failed");
    tag = p.expect_imap("CAPABILITY");  // asked again: nothing from before TLS is kept
    p.send("* CAPABILITY IMAP4rev1\r\n" + tag + " OK done\r\n");
    tag = p.expect_imap("LOGIN");  // not AUTHENTICATE PLAIN with SASL-IR, offered only pre-TLS
    p.send(tag + " OK logged in\r\n");
    tag = p.expect_imap("SELECT");  // in the LOGIN's flight
    p.send("* 1 EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n" + tag + " OK [READ-WRITE] selected\r\n");
    tag = p.expect_imap("CAPABILITY");  // the login reply carried none: asked behind the SELECT
    p.send("* CAPABILITY IMAP4rev1\r\n" + tag + " OK done\r\n");
  });
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  INFO("script: ", s.script_error(), " / error: ", t.error().code, " ", t.error().detail);
  CHECK(s.script_error().empty());
  const std::vector<std::string> sent = commands(s);
  REQUIRE(sent.size() >= 6);
  CHECK(sent[2] == "CAPABILITY");
  CHECK(sent[3] == "LOGIN");
  CHECK(sent[4] == "SELECT");
  CHECK(sent[5] == "CAPABILITY");
  for (const mv::StepRecord& step : t.result.report.steps) {
    INFO(step.name, ": ", step.detail);
    CHECK(step.detail.find("evil.example") == std::string::npos);
    CHECK(step.detail.find("EvilFolder") == std::string::npos);
    // Seven digits: no port or loopback address in a detail can contain them by chance.
    CHECK(step.detail.find("4242424") == std::string::npos);
  }
  for (const std::string& w : t.result.report.warnings)
    CHECK(w.find("evil") == std::string::npos);
  // The script stops answering after the CAPABILITY: the run then ends on the idle timeout.
  CHECK(t.error().code == "net.timeout");
}

TEST_CASE("hostile/imap: a REFERRAL in the login reply is reported, never followed") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        p.send("* OK hostile IMAP ready\r\n");
        std::string tag = p.expect_imap("CAPABILITY");
        p.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n" + tag + " OK done\r\n");
        tag = p.expect_imap("AUTHENTICATE PLAIN");
        p.send(tag + " NO [REFERRAL imap://alice@other.example/] log in over there\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, imap_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "imap.auth_failed", Category::auth);
  CHECK(t.error().server_says.find("REFERRAL") != std::string::npos);
  int connects = 0;
  for (const mv::StepRecord& step : t.result.report.steps)
    connects += step.name == "imap.connect";
  CHECK(connects == 1);  // no second connection, to other.example or anywhere
  // The SELECT went out in the AUTHENTICATE's flight (one TLS record); refused with it, unread.
  CHECK(commands(s) == Lines{"CAPABILITY", "AUTHENTICATE", "SELECT"});
}

}  // namespace
