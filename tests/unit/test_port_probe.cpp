// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <unistd.h>

#include "engine/port_probe.hpp"
#include "tests/support/loopback_listener.hpp"

namespace mv {

namespace {
using Listener = mv::test::LoopbackListener;

Task<void> probe_into(Pump& pump, TlsContext& tls, Endpoint base, std::vector<unsigned> ports,
                      std::vector<PortProbe>& out) {
  out = co_await probe_ports(pump, tls, base, std::move(ports), 2000);
}
}  // namespace

TEST_CASE("port_probe: an open and a closed port are told apart, in the order asked") {
  Listener open;
  const unsigned closed = mv::test::closed_loopback_port();
  Error error;
  auto tls = TlsContext::create({}, error);
  REQUIRE(tls);
  Endpoint base;
  base.host = "127.0.0.1";
  base.family = Family::ipv4;
  std::vector<PortProbe> probes;
  Pump pump;
  pump.spawn(probe_into(pump, *tls, base, {closed, open.port}, probes));
  pump.run();
  REQUIRE(probes.size() == 2);
  CHECK(probes[0].port == closed);
  CHECK_FALSE(probes[0].open);
  CHECK(probes[0].detail == "refused");
  CHECK(probes[1].port == open.port);
  CHECK(probes[1].open);
}

}  // namespace mv
