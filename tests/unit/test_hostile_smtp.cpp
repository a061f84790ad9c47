// SPDX-License-Identifier: Apache-2.0
// Hostile SMTP servers against the real engine (mv::run, send-only): STARTTLS stripping and
// refusal, response injection, certificate failures, parser abuse after TLS, dead servers and
// connections cut mid-DATA. Each case asserts the exact error, what reached the wire (never AUTH,
// MAIL or the password where they must not be) and that run() returned within its bound.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/hostile.hpp"

namespace {

using mv::Category;
using mv::TlsMode;
using mv::test::CertSpec;
using mv::test::TestCa;
using namespace mv::test::hostile;

constexpr const char* kGreeting = "220 mx.hostile.test ESMTP\r\n";
constexpr const char* kEhloStarttls =
    "250-mx.hostile.test\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n";

// Greeting, EHLO offering STARTTLS, STARTTLS accepted, the handshake with this certificate.
void to_tls(Peer& p, const std::string& cert, const std::string& key) {
  p.send(kGreeting);
  p.expect("EHLO localhost");
  p.send(kEhloStarttls);
  p.expect("STARTTLS");
  p.send("220 2.0.0 Ready to start TLS\r\n");
  if (!p.start_tls(cert, key)) p.abort("server TLS handshake failed");
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

// Nothing of the login or the transaction went out, and the password never did.
void check_nothing_sent(const HostileServer& s) {
  for (const char* verb : {"AUTH", "HELO", "MAIL", "RCPT", "DATA"}) {
    INFO("verb ", verb);
    CHECK_FALSE(s.wire().saw(verb));
  }
  CHECK_FALSE(s.wire().leaks(kCanary));
}

using Lines = std::vector<std::string>;

void starttls_refused_case(const char* reply, Category category) {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("EHLO localhost");
    p.send(kEhloStarttls);
    p.expect("STARTTLS");
    p.send(reply);
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.starttls_refused", category);
  CHECK(t.error().server_says.find(std::string(reply).substr(0, 3)) != std::string::npos);
  CHECK(s.wire().lines() == Lines{"EHLO localhost", "STARTTLS"});
  check_nothing_sent(s);
  CHECK(s.script_error().empty());
}

}  // namespace

TEST_CASE("hostile/smtp: STARTTLS not advertised is an error, never AUTH or MAIL in plaintext") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("EHLO localhost");
    p.send("250-mx.hostile.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n");
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.starttls_unavailable", Category::tls);
  CHECK(s.wire().lines() == Lines{"EHLO localhost"});
  check_nothing_sent(s);
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/smtp: STARTTLS refused with 454 stops before any credentials") {
  // 454 is a temporary refusal (retry later); never a reason to go on in plaintext either.
  starttls_refused_case("454 4.7.0 TLS not available due to local problem\r\n",
                        Category::temporary);
}

TEST_CASE("hostile/smtp: STARTTLS refused with 502 stops before any credentials") {
  starttls_refused_case("502 5.5.1 Command not implemented\r\n", Category::tls);
}

TEST_CASE("hostile/smtp: EHLO refused does not downgrade to HELO without consent") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("EHLO localhost");
    p.send("500 5.5.2 Syntax error, command unrecognized\r\n");
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.ehlo_refused", Category::protocol);
  CHECK(s.wire().lines() == Lines{"EHLO localhost"});
  check_nothing_sent(s);
}

TEST_CASE("hostile/smtp: bytes injected after the STARTTLS 220 abort before any ClientHello") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("EHLO localhost");
    p.send(kEhloStarttls);
    p.expect("STARTTLS");
    p.wire().mark();
    // One segment: the 220 and a forged reply that would be read as if it came over TLS.
    p.send("220 2.0.0 Ready to start TLS\r\n250-mx.hostile.test\r\n250 AUTH PLAIN\r\n");
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.starttls_injection", Category::tls);
  CHECK(s.wire().since_mark().empty());  // no ClientHello, no EHLO, nothing
  CHECK(s.wire().lines() == Lines{"EHLO localhost", "STARTTLS"});
  check_nothing_sent(s);
}

TEST_CASE("hostile/smtp: a reply before its command was sent is refused, nothing is sent") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) { p.send(std::string(kGreeting) + "250 early bird\r\n"); });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.unexpected_reply", Category::protocol);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/smtp: a 554 greeting is a policy refusal and nothing is sent") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) { p.send("554 5.7.1 No SMTP service here\r\n"); });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.greeting_refused", Category::policy);
  CHECK(t.error().server_says.find("No SMTP service") != std::string::npos);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/smtp: an implicit-TLS port answering in plaintext is tls.plaintext_reply") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) { p.send(kGreeting); });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "tls.plaintext_reply", Category::tls);
  CHECK(t.error().server_says.find("220 mx.hostile.test") != std::string::npos);
  // Only the ClientHello went out: no fallback to a plaintext conversation.
  CHECK(looks_like_client_hello(s.wire().all()));
  CHECK_FALSE(s.wire().saw("EHLO"));
  check_nothing_sent(s);
}

TEST_CASE("hostile/smtp: a certificate for another host after STARTTLS is tls.bad_host") {
  Pki k;
  MemoryNet net;
  TestCa ca(k.dir.path(), "hostile CA", "hostile");
  const auto other = ca.issue("other", CertSpec{"mail.other.test", {"mail.other.test"}, false});
  HostileServer s(net, [&](Peer& p) { to_tls(p, other.cert, other.key); });
  const Timed t = run_timed(net, smtp_config(ca.cert_file(), s.port()));
  REQUIRE(s.finish());
  check_error(t, "tls.bad_host", Category::tls);
  CHECK(t.error().step == "smtp.tls");
  check_nothing_sent(s);
}

TEST_CASE("hostile/smtp: a certificate from an unknown CA on implicit TLS is tls.unknown_ca") {
  Pki k;
  MemoryNet net;
  TestCa rogue(k.dir.path(), "rogue CA", "rogue");
  const auto cert = rogue.issue("rogue-localhost");
  HostileServer s(
      net, [&](Peer& p) { p.send(kGreeting); }, cert.cert, cert.key);
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  check_error(t, "tls.unknown_ca", Category::tls);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/smtp: an expired certificate after STARTTLS is tls.expired") {
  Pki k;
  MemoryNet net;
  TestCa ca(k.dir.path(), "hostile CA", "hostile");
  CertSpec spec;
  spec.valid_from_days = -60;
  spec.valid_to_days = -1;
  const auto old = ca.issue("expired", spec);
  HostileServer s(net, [&](Peer& p) { to_tls(p, old.cert, old.key); });
  const Timed t = run_timed(net, smtp_config(ca.cert_file(), s.port()));
  REQUIRE(s.finish());
  check_error(t, "tls.expired", Category::tls);
  check_nothing_sent(s);
}

TEST_CASE("hostile/smtp: a multi-line reply whose code changes after TLS is malformed") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    to_tls(p, k.pki.cert_file, k.pki.key_file);
    p.expect("EHLO localhost");
    p.send("250-mx.hostile.test\r\n251 AUTH PLAIN\r\n");
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.malformed_reply", Category::protocol);
  CHECK(t.error().step == "smtp.ehlo");
  CHECK(t.error().detail.find("250 then 251") != std::string::npos);
  check_nothing_sent(s);
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/smtp: \"250X\" after TLS is a malformed reply, not a capability list") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    to_tls(p, k.pki.cert_file, k.pki.key_file);
    p.expect("EHLO localhost");
    p.send("250Xmx.hostile.test\r\n250 AUTH PLAIN\r\n");
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.malformed_reply", Category::protocol);
  check_nothing_sent(s);
}

TEST_CASE("hostile/smtp: an endless reply line after TLS is smtp.line_too_long") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    to_tls(p, k.pki.cert_file, k.pki.key_file);
    p.expect("EHLO localhost");
    p.send("250-" + std::string(20000, 'A'));  // never ends
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.line_too_long", Category::protocol);
  check_nothing_sent(s);
}

TEST_CASE("hostile/smtp: a greeting that never comes is net.no_greeting within the idle bound") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer&) {});  // accepts, then only listens
  mv::RunConfig config = smtp_config(k.pki.ca_file, s.port());
  config.timeouts.idle = 800;
  const Timed t = run_timed(net, config);
  REQUIRE(s.finish());
  check_error(t, "net.no_greeting", Category::network, 800);
  CHECK(s.wire().all().empty());
}

TEST_CASE("hostile/smtp: FIN right after the DATA 354 is an error, never success") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    to_tls(p, k.pki.cert_file, k.pki.key_file);
    smtp_to_data(p);
    p.send("354 End data with <CR><LF>.<CR><LF>\r\n");
    p.close();
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  INFO("error: ", t.error().code, " / ", t.error().detail);
  CHECK_FALSE(t.result.report.ok());
  // Whether the client sees the FIN or the reset its body write provoked first is up to the
  // kernel; both are the network failing during DATA.
  CHECK((t.error().code == "smtp.connection_closed" || t.error().code == "net.reset"));
  CHECK(t.error().category == Category::network);
  CHECK(t.result.queue_id.empty());
  CHECK(t.ms == 0);  // at once: no timer ran out
}

TEST_CASE("hostile/smtp: FIN after the message data, before the final 250, is an error") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    to_tls(p, k.pki.cert_file, k.pki.key_file);
    smtp_to_data(p);
    p.send("354 End data with <CR><LF>.<CR><LF>\r\n");
    for (;;) {
      auto l = p.line();
      if (!l) p.abort("EOF inside the message data");
      if (*l == ".\r\n") break;
    }
    p.close();
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.connection_closed", Category::network);
  CHECK(t.error().step == "smtp.data");
  CHECK(t.result.queue_id.empty());
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/smtp: DATA answered 250 instead of 354 sends no message body") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    to_tls(p, k.pki.cert_file, k.pki.key_file);
    smtp_to_data(p);
    p.send("250 2.0.0 Ok: queued as FAKE\r\n");
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.unexpected_reply", Category::protocol);
  CHECK(s.wire().all().find("X-Mailverify-Token") == std::string::npos);
  CHECK(t.result.queue_id.empty());
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/smtp: TLS mode none without allow_plaintext never sends the password") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("EHLO localhost");
    p.send("250-mx.hostile.test\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n");
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port(), TlsMode::none));
  REQUIRE(s.finish());
  check_error(t, "smtp.plaintext_auth_refused", Category::policy);
  CHECK(s.wire().lines() == Lines{"EHLO localhost"});
  check_nothing_sent(s);
}

TEST_CASE("hostile/smtp: a reply of endless continuation lines is smtp.reply_too_large") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    to_tls(p, k.pki.cert_file, k.pki.key_file);
    p.expect("EHLO localhost");
    std::string flood;
    for (int i = 0; i < 200; ++i)
      flood += "250-X-FLOOD-" + std::to_string(i) + "\r\n";
    p.send(flood);  // and never a last line
  });
  const Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  check_error(t, "smtp.reply_too_large", Category::protocol);
  check_nothing_sent(s);
}

TEST_CASE("hostile/smtp: a server that never answers the ClientHello is net.timeout at smtp.tls") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("EHLO localhost");
    p.send(kEhloStarttls);
    p.expect("STARTTLS");
    p.send("220 2.0.0 Ready to start TLS\r\n");
    // ... and then silence: the ClientHello is recorded by the final drain, never answered.
  });
  mv::RunConfig config = smtp_config(k.pki.ca_file, s.port());
  config.timeouts.handshake = 800;
  const Timed t = run_timed(net, config);
  REQUIRE(s.finish());
  check_error(t, "net.timeout", Category::network, 800);
  CHECK(t.error().step == "smtp.tls");
  check_nothing_sent(s);
}

// The idle timer restarts on every byte; the per-step progress window must still cut a drip.
TEST_CASE("hostile/smtp: a greeting dripped one byte at a time is cut off by a deadline") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    const std::string greeting = "220 mx.hostile.test ESMTP slowly\r\n";
    for (std::size_t i = 0; i + 2 < greeting.size() && i < 20; ++i) {
      p.send(greeting.substr(i, 1));
      p.pause(250);
    }
  });
  mv::RunConfig config = smtp_config(k.pki.ca_file, s.port());
  config.timeouts.idle = 1000;
  const Timed t = run_timed(net, config);
  REQUIRE(s.finish(8000));
  CHECK_FALSE(t.result.report.ok());
  CHECK(t.result.report.error.code == "net.too_slow");
  // Cut off when the first idle period ends, although a byte came every 250 ms.
  CHECK(t.ms == 1000);
}

TEST_CASE("hostile/smtp: silence after the greeting is net.timeout within the idle bound") {
  Pki k;
  MemoryNet net;
  HostileServer s(net, [&](Peer& p) {
    p.send(kGreeting);
    p.expect("EHLO localhost");  // never answered
  });
  mv::RunConfig config = smtp_config(k.pki.ca_file, s.port());
  config.timeouts.idle = 800;
  const Timed t = run_timed(net, config);
  REQUIRE(s.finish());
  check_error(t, "net.timeout", Category::network, 800);
  CHECK(s.wire().lines() == Lines{"EHLO localhost"});
  check_nothing_sent(s);
}
