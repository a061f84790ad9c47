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
// Monotonic microseconds, for step timings finer than a millisecond.
std::int64_t monotonic_us();
// A duration for people: "0.8 s", "12.5 s", "30 s" (one decimal below ten seconds).
std::string seconds_text(Millis ms);
// RFC 5322 date-time of a wall-clock instant, in UTC: "Sun, 22 Nov 2026 01:24:36 +0000".
std::string rfc5322_date(std::time_t when);

}  // namespace mv
