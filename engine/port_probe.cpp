#include "engine/port_probe.hpp"

#include <poll.h>

#include <memory>

#include "engine/clock.hpp"

namespace mv {

std::vector<PortProbe> probe_ports(const std::string& host, const std::vector<unsigned>& ports,
                                   Family family, Millis timeout) {
  std::vector<PortProbe> results;
  std::vector<std::unique_ptr<Connector>> connectors;
  for (unsigned port : ports) {
    results.push_back({port, false, "timed out"});
    connectors.push_back(std::make_unique<Connector>(host, port, family));
  }
  const Millis deadline = monotonic_ms() + timeout;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < connectors.size(); ++i) {
      Connector& c = *connectors[i];
      if (c.status() != Connector::Status::in_progress) continue;
      fds.push_back({c.fd(), POLLOUT, 0});
      index.push_back(i);
    }
    Millis left = deadline - monotonic_ms();
    if (fds.empty() || left <= 0) break;
    if (::poll(fds.data(), fds.size(), static_cast<int>(left)) <= 0) continue;
    for (std::size_t k = 0; k < fds.size(); ++k)
      if (fds[k].revents != 0) connectors[index[k]]->on_writable();
  }
  for (std::size_t i = 0; i < connectors.size(); ++i) {
    Connector& c = *connectors[i];
    if (c.status() == Connector::Status::connected) {
      results[i].open = true;
      results[i].detail = "accepts connections";
    } else if (c.status() == Connector::Status::failed) {
      results[i].detail = c.error().code == "net.refused" ? "refused" : c.error().detail;
    }
  }
  return results;
}

}  // namespace mv
