#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/port_probe.hpp"

namespace mv {

namespace {
// A listening socket on 127.0.0.1 with a kernel-chosen port; closing it frees the port.
struct Listener {
  int fd = -1;
  unsigned port = 0;
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 4) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { ::close(fd); }
};

Task<void> probe_into(Pump& pump, TlsContext& tls, Endpoint base, std::vector<unsigned> ports,
                      std::vector<PortProbe>& out) {
  out = co_await probe_ports(pump, tls, base, std::move(ports), 2000);
}
}  // namespace

TEST_CASE("port_probe: an open and a closed port are told apart, in the order asked") {
  Listener open;
  unsigned closed = 0;
  {
    Listener gone;
    closed = gone.port;
  }
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
