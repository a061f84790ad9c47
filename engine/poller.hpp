// SPDX-License-Identifier: Apache-2.0
// How the loop (engine/pump.hpp) waits for its descriptors: poll(2) in a run; in tests, a poller
// that also moves a virtual clock, so a plan's timed waits take no real time.
#pragma once

#include <poll.h>

#include <cstddef>

namespace mv {

class Poller {
 public:
  virtual ~Poller() = default;
  // poll(2)'s contract: waits at most timeout_ms for events on fds; the number of descriptors with
  // events, 0 on timeout, -1 with errno set on failure.
  virtual int wait(pollfd* fds, std::size_t count, int timeout_ms) = 0;
};

// ::poll, shared by every pump that is given no other poller.
Poller& system_poller();

}  // namespace mv
