// SPDX-License-Identifier: Apache-2.0
// The engine's only view of time. Protocol machines never read a clock; the engine reads this one
// and passes the time in, so everything below it can be tested without sleeping.
#pragma once

#include <ctime>
#include <string>

#include "protocols/common/conversation.hpp"

namespace mv {

// Monotonic milliseconds since an arbitrary start.
Millis monotonic_ms();

// Where the loop (engine/pump.hpp) and its plans read the time: the system's monotonic clock in a
// run, a virtual one in tests, so deadlines and waits are asserted exactly, without sleeping.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now() const = 0;
};
// monotonic_ms(), shared by every pump that is given no other clock.
Clock& system_clock();
// Monotonic microseconds, for step timings finer than a millisecond.
std::int64_t monotonic_us();
// Wall-clock milliseconds since the Unix epoch, for the time a run began.
std::int64_t wall_clock_ms();
// A duration for people: "0.8 s", "12.5 s", "30 s" (one decimal below ten seconds).
std::string seconds_text(Millis ms);
// RFC 5322 date-time of a wall-clock instant, in UTC: "Sun, 22 Nov 2026 01:24:36 +0000".
std::string rfc5322_date(std::time_t when);

}  // namespace mv
