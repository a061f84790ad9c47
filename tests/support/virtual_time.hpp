// SPDX-License-Identifier: Apache-2.0
// A virtual clock and poller for the loop (engine/pump.hpp): when no descriptor is ready, a wait
// moves the clock forward by its whole timeout at once, so plans, deadlines and timed waits run in
// exact virtual milliseconds and take no real time. tests/support/memory_net.hpp builds on it
// with scripted peers, whose waits it takes into account.
#pragma once

#include <poll.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "engine/clock.hpp"
#include "engine/poller.hpp"

namespace mv::test {

class VirtualTime : public Clock, public Poller {
 public:
  // Virtual time 0 is this wall-clock instant (2026-12-07 10:00:00 UTC), so dates are stable.
  static constexpr std::int64_t kEpochUs = 1'796'637'600'000'000;

  std::int64_t now_us() const override { return now_.load() * 1000; }
  std::int64_t wall_us() const override { return kEpochUs + now_us(); }
  int wait(pollfd* fds, std::size_t count, int timeout_ms) override {
    const int ready = ::poll(fds, static_cast<nfds_t>(count), 0);  // real descriptors: no waiting
    if (ready != 0) return ready;
    advance_to(now() + timeout_ms);
    return 0;
  }
  // How often the loop waited with nothing ready (each time, the clock jumped).
  int idle_waits() const { return idle_waits_; }

 protected:
  void advance_to(Millis t) {
    if (t > now_.load()) now_.store(t);
    ++idle_waits_;
  }

 private:
  // Not 0: a plan's "now + gap" arithmetic is exercised as in a run. Atomic: scripted peers'
  // threads read it (memory_net.hpp).
  std::atomic<Millis> now_{1'000'000};
  int idle_waits_ = 0;
};

}  // namespace mv::test
