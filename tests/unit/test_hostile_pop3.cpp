// SPDX-License-Identifier: Apache-2.0
// Hostile POP3 servers against the real engine (mv::run, receive-only): STLS stripping and
// refusal, injection after the STLS +OK, replies out of turn, certificate failures, truncated
// multi-line replies and parser abuse after TLS, dead servers. Each case asserts the exact error,
// that no USER/PASS/AUTH (and never the password) reached the wire where it must not, and that
// run() returned within its bound.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/hostile.hpp"

namespace {

using mv::Category;
using mv::Receive;
using mv::TlsMode;
using mv::test::TestCa;
using namespace mv::test::hostile;

constexpr const char* kGreeting = "+OK hostile POP3 ready\r\n";

mv::RunConfig pop3_config(const std::string& ca, unsigned port, TlsMode mode = TlsMode::starttls) {
  return incoming_config(ca, port, Receive::pop3, mode);
}

// Greeting, CAPA with STLS (and tempting USER and SASL PLAIN), STLS accepted, the handshake.
void to_tls(Peer& p, const std::string& cert, const std::string& key) {
  p.send(kGreeting);
  p.expect("CAPA");
  p.send("+OK Capability list follows\r\nUSER\r\nSASL PLAIN\r\nSTLS\r\n.\r\n");
  p.expect("STLS");
  p.send("+OK Begin TLS negotiation\r\n");
  if (!p.start_tls(cert, key)) p.abort("server TLS handshake failed");
}

// Implicit TLS: greeting, CAPA, AUTH PLAIN, up to the STAT command (not answered).
void to_stat(Peer& p) {
  p.send(kGreeting);
  p.expect("CAPA");
  p.send("+OK\r\nSASL PLAIN\r\n.\r\n");
  p.expect("AUTH PLAIN ");
  p.send("+OK logged in\r\n");
  p.expect("STAT");
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
  for (const char* verb : {"USER", "PASS", "AUTH", "APOP", "STAT"}) {
    INFO("verb ", verb);
    CHECK_FALSE(s.wire().saw(verb));
  }
  CHECK_FALSE(s.wire().leaks(kCanary));
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("hostile/pop3: STLS not advertised is an error, never USER/PASS in plaintext") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("CAPA");
    p.send("+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n");
  });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "pop3.stls_unavailable", Category::tls);
  CHECK(s.wire().lines() == Lines{"CAPA"});
  check_no_login(s);
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/pop3: CAPA refused means no STLS, and no login in plaintext") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("CAPA");
    p.send("-ERR unknown command\r\n");
  });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "pop3.stls_unavailable", Category::tls);
  CHECK(s.wire().lines() == Lines{"CAPA"});
  check_no_login(s);
}

TEST_CASE("hostile/pop3: STLS refused with -ERR stops before any credentials") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("CAPA");
    p.send("+OK\r\nUSER\r\nSTLS\r\n.\r\n");
    p.expect("STLS");
    p.send("-ERR TLS temporarily unavailable\r\n");
  });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "pop3.stls_refused", Category::tls);
  CHECK(t.error().server_says.find("temporarily unavailable") != std::string::npos);
  CHECK(s.wire().lines() == Lines{"CAPA", "STLS"});
  check_no_login(s);
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/pop3: bytes injected after the STLS +OK abort before any ClientHello") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("CAPA");
    p.send("+OK\r\nUSER\r\nSTLS\r\n.\r\n");
    p.expect("STLS");
    p.wire().mark();
    p.send("+OK Begin TLS\r\n+OK\r\nSASL PLAIN\r\n.\r\n");
  });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "pop3.stls_injection", Category::tls);
  CHECK(s.wire().since_mark().empty());
  CHECK(s.wire().lines() == Lines{"CAPA", "STLS"});
  check_no_login(s);
}

TEST_CASE("hostile/pop3: a reply before its command was sent is refused, nothing is sent") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) { p.send(std::string(kGreeting) + "+OK\r\nSTLS\r\n.\r\n"); });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "pop3.unexpected_reply", Category::protocol);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/pop3: a -ERR greeting is pop3.greeting_refused and nothing is sent") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) { p.send("-ERR [SYS/TEMP] maildrop locked\r\n"); });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "pop3.greeting_refused", Category::temporary);  // RFC 3206 [SYS/TEMP]
  CHECK(t.error().server_says.find("maildrop locked") != std::string::npos);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/pop3: a continuation line outside AUTH is pop3.bad_status") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("CAPA");
    p.send("+ go ahead\r\n");
  });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "pop3.bad_status", Category::protocol);
  CHECK(s.wire().lines() == Lines{"CAPA"});
  check_no_login(s);
}

TEST_CASE("hostile/pop3: an implicit-TLS port answering in plaintext is tls.plaintext_reply") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) { p.send(kGreeting); });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "tls.plaintext_reply", Category::tls);
  CHECK(t.error().server_says.find("+OK hostile POP3 ready") != std::string::npos);
  CHECK(looks_like_client_hello(s.wire().all()));
  CHECK_FALSE(s.wire().saw("CAPA"));
  check_no_login(s);
}

TEST_CASE("hostile/pop3: a certificate from an unknown CA after STLS is tls.unknown_ca") {
  Pki k;
  MemoryNet net;
  TestCa rogue(k.dir.path(), "rogue CA", "rogue");
  const auto cert = rogue.issue("rogue-localhost");
  HostileServer s(net, [&](Peer& p) { to_tls(p, cert.cert, cert.key); });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "tls.unknown_ca", Category::tls);
  CHECK(t.error().step == "pop3.tls");
  check_no_login(s);
}

TEST_CASE("hostile/pop3: TLS mode none without allow_plaintext sends nothing at all") {
  Pki k;
  MemoryNet net;
  HostileServer s(net,
                  [&](Peer& p) { p.send("+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n"); });
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port(), TlsMode::none));
  REQUIRE(s.finish());
  check_error(t, "pop3.plaintext_auth_refused", Category::policy);
  CHECK(s.wire().all().empty());
  check_no_login(s);
}

TEST_CASE("hostile/pop3: RETR missing its terminator before close is pop3.truncated") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        to_stat(p);
        p.send("+OK 1 420\r\n");
        p.expect("TOP 1 0");
        p.send("+OK\r\nX-Mailverify-Token: abc\r\nSubject: t\r\n\r\n.\r\n");
        p.expect("RETR 1");
        p.send("+OK 420 octets\r\nX-Mailverify-Token: abc\r\nSubject: t\r\n\r\nbody line\r\n");
        p.close();
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "pop3.truncated", Category::network);
  CHECK_FALSE(s.wire().saw("DELE"));
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/pop3: TOP cut off before its terminator is pop3.truncated, no RETR") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        to_stat(p);
        p.send("+OK 1 420\r\n");
        p.expect("TOP 1 0");
        p.send("+OK\r\nX-Mailverify-Token: abc\r\nSubj");
        p.close();
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "pop3.truncated", Category::network);
  CHECK_FALSE(s.wire().saw("RETR"));
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/pop3: an endless status line after TLS is pop3.line_too_long") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        p.send(kGreeting);
        p.expect("CAPA");
        p.send("+OK " + std::string(20000, 'C'));
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "pop3.line_too_long", Category::protocol);
  check_no_login(s);
}

TEST_CASE("hostile/pop3: a STAT reply that is not \"+OK count size\" is pop3.bad_stat") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        to_stat(p);
        p.send("+OK lots of mail\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "pop3.bad_stat", Category::protocol);
  CHECK_FALSE(s.wire().saw("TOP"));
  CHECK_FALSE(s.wire().saw("RETR"));
}

TEST_CASE("hostile/pop3: a STAT count that overflows 32 bits is pop3.bad_stat") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        to_stat(p);
        p.send("+OK 4294967297 100\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "pop3.bad_stat", Category::protocol);
  CHECK_FALSE(s.wire().saw("TOP"));
}

TEST_CASE("hostile/pop3: a greeting that never comes is net.no_greeting within the idle bound") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer&) {});
  mv::RunConfig config = pop3_config(k.pki.ca_file, s.port());
  config.timeouts.idle = 800;
  const Timed t = run_timed(net, config);
  REQUIRE(s.finish());
  check_error(t, "net.no_greeting", Category::network, 800);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/pop3: a reply smuggled after the RETR terminator is pop3.unexpected_data") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        to_stat(p);
        p.send("+OK 1 420\r\n");
        p.expect("TOP 1 0");
        p.send("+OK\r\nX-Mailverify-Token: abc\r\n\r\n.\r\n");
        p.expect("RETR 1");
        // One segment: the whole message, then a reply to a command the client never sent.
        p.send("+OK\r\nX-Mailverify-Token: abc\r\n\r\nbody\r\n.\r\n+OK 1 messages deleted\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t = run_timed(net, pop3_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "pop3.unexpected_data", Category::protocol);
  CHECK_FALSE(s.wire().saw("QUIT"));  // after an error, nothing more is sent
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/pop3: a RETR that stalls mid-message is net.timeout within the idle bound") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        to_stat(p);
        p.send("+OK 1 420\r\n");
        p.expect("TOP 1 0");
        p.send("+OK\r\nX-Mailverify-Token: abc\r\n\r\n.\r\n");
        p.expect("RETR 1");
        p.send("+OK 420 octets\r\nX-Mailverify-Token: abc\r\n\r\nhalf a bo");  // then silence
      },
      k.pki.cert_file, k.pki.key_file);
  mv::RunConfig config = pop3_config(k.pki.ca_file, s.port(), TlsMode::implicit);
  config.timeouts.idle = 800;
  const Timed t = run_timed(net, config);
  REQUIRE(s.finish());
  check_error(t, "net.timeout", Category::network, 800);
  CHECK(s.script_error().empty());
}
