// SPDX-License-Identifier: Apache-2.0
// A virtual clock and poller for the loop (engine/pump.hpp): when no descriptor is ready, a wait
// moves the clock forward by its whole timeout at once, so plans, deadlines and timed waits run in
// exact virtual milliseconds and take no real time.
#pragma once

#include <poll.h>

#include <cstddef>

#include "engine/clock.hpp"
#include "engine/poller.hpp"

namespace mv::test {

class VirtualTime final : public Clock, public Poller {
 public:
  Millis now() const override { return now_; }
  int wait(pollfd* fds, std::size_t count, int timeout_ms) override {
    const int ready = ::poll(fds, static_cast<nfds_t>(count), 0);  // real descriptors: no waiting
    if (ready != 0) return ready;
    now_ += timeout_ms;
    ++idle_waits_;
    return 0;
  }
  // How often the loop waited with nothing ready (each time, the clock jumped).
  int idle_waits() const { return idle_waits_; }

 private:
  Millis now_ = 1'000'000;  // not 0: a plan's "now + gap" arithmetic is exercised as in a run
  int idle_waits_ = 0;
};

}  // namespace mv::test
