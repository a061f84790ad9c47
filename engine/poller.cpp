// SPDX-License-Identifier: Apache-2.0
#include "engine/poller.hpp"

namespace mv {

namespace {
class SystemPoller final : public Poller {
 public:
  int wait(pollfd* fds, std::size_t count, int timeout_ms) override {
    return ::poll(fds, static_cast<nfds_t>(count), timeout_ms);
  }
};
}  // namespace

Poller& system_poller() {
  static SystemPoller poller;
  return poller;
}

}  // namespace mv
