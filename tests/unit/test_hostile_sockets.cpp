// SPDX-License-Identifier: Apache-2.0
// Smoke tests of the hostile servers over real loopback sockets (TCP, the system's clock and
// poll): the same kind of scripts as tests/unit/test_hostile_*.cpp, which run in memory on a
// virtual clock, so that the TCP transport (tls/connector behind engine/tcp_transport) and the real
// clock still carry a whole run. Their time bounds are wall-clock and generous: what they assert
// exactly is the error and the wire, the exact times are the in-memory suites' business.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/hostile.hpp"
#include "tests/support/loopback_listener.hpp"

namespace {

using mv::Category;
using mv::TlsMode;
using namespace mv::test::hostile;

// Far above what these runs take (a few ms), far below the waits they must not sit out.
constexpr double kWallBoundMs = 3000;

}  // namespace

TEST_CASE("hostile/sockets: STARTTLS not advertised over TCP, never AUTH or MAIL in plaintext") {
  Pki k;
  HostileServer s([&](Peer& p) {
    p.send("220 mx.hostile.test ESMTP\r\n");
    p.expect("EHLO localhost");
    p.send("250-mx.hostile.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n");
  });
  REQUIRE(s.listening());
  const Timed t = run_timed(smtp_config(k.pki.ca_file, s.port()));
  REQUIRE(s.finish());
  INFO(describe(t));
  CHECK(t.error().code == "smtp.starttls_unavailable");
  CHECK(t.error().category == Category::tls);
  CHECK(s.wire().lines() == std::vector<std::string>{"EHLO localhost"});
  CHECK_FALSE(s.wire().leaks(kCanary));
  CHECK(t.ms < kWallBoundMs);
  CHECK(s.script_error().empty());
}

TEST_CASE("hostile/sockets: silence after an IMAP greeting over implicit TLS is net.timeout") {
  Pki k;
  HostileServer s([&](Peer& p) { p.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"); },
                  k.pki.cert_file, k.pki.key_file);
  REQUIRE(s.listening());
  mv::RunConfig c = incoming_config(k.pki.ca_file, s.port(), mv::Receive::imap, TlsMode::implicit);
  c.timeouts.idle = 300;
  const Timed t = run_timed(c);
  REQUIRE(s.finish());
  INFO(describe(t));
  CHECK(t.error().code == "net.timeout");
  CHECK(t.ms >= 300);  // the idle bound on the wall clock: not given up before it
  CHECK(t.ms < kWallBoundMs);
  CHECK_FALSE(s.wire().leaks(kCanary));
}

TEST_CASE("hostile/sockets: a closed port is net.refused at once") {
  Pki k;
  mv::RunConfig c = smtp_config(k.pki.ca_file, mv::test::closed_loopback_port());
  c.probe_ports = false;
  const Timed t = run_timed(c);
  INFO(describe(t));
  CHECK(t.error().code == "net.refused");
  CHECK(t.ms < kWallBoundMs);
}
