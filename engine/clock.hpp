// SPDX-License-Identifier: Apache-2.0
// The engine's only view of time. Protocol machines never read a clock; the engine reads this one
// and passes the time in, so everything below it can be tested without sleeping.
#pragma once

#include <ctime>
#include <string>

#include "protocols/common/conversation.hpp"

namespace mv {

// Where the engine reads the time, and its only source of it: the system's clocks in a run, a
// virtual one in tests, so deadlines, waits and step timings are asserted exactly, without
// sleeping. The loop (engine/pump.hpp) owns the one a run uses; sessions and plans ask it.
class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic microseconds since an arbitrary start: step timings.
  virtual std::int64_t now_us() const = 0;
  // The same in milliseconds: deadlines and waits.
  Millis now() const { return now_us() / 1000; }
  // Wall-clock microseconds since the Unix epoch: when a run began, the test message's Date, the
  // trace's first line. Only for showing; nothing is timed with it.
  virtual std::int64_t wall_us() const = 0;
};
// monotonic_us() and the system's real-time clock, shared by every pump given no other clock.
Clock& system_clock();
// Monotonic microseconds since an arbitrary start: the system clock's, for the tool's own edge
// (the engine asks its Clock).
std::int64_t monotonic_us();
// A duration for people: "0.8 s", "12.5 s", "30 s" (one decimal below ten seconds).
std::string seconds_text(Millis ms);
// RFC 5322 date-time of a wall-clock instant, in UTC: "Sun, 22 Nov 2026 01:24:36 +0000".
std::string rfc5322_date(std::time_t when);

}  // namespace mv
