// SPDX-License-Identifier: Apache-2.0
#include "engine/clock.hpp"

#include <time.h>

#include <cstdio>

namespace mv {

namespace {
class SystemClock final : public Clock {
 public:
  std::int64_t now_us() const override { return monotonic_us(); }
  // clock_gettime rather than <chrono>: in C++20 <chrono> drags in the iostream and locale
  // headers, which the minimal profile (musl, no iostreams) leaves out.
  std::int64_t wall_us() const override {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
  }
};
}  // namespace

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

std::int64_t monotonic_us() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return std::int64_t{now.tv_sec} * 1'000'000 + now.tv_nsec / 1000;
}

std::string seconds_text(Millis ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10'000 ? "%.1f s" : "%.0f s", static_cast<double>(ms) / 1000);
  return buf;
}

std::string rfc5322_date(std::time_t when) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char buf[64];
  // %a and %b are locale-dependent; the engine never calls setlocale, so they stay "C".
  std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf, n);
}

}  // namespace mv
