// SPDX-License-Identifier: Apache-2.0
// The one decimal-number reader every protocol parser uses (SMTP SIZE, IMAP numbers and literal
// lengths, POP3 STAT and listings, HTTP lengths and ports, JSON integers): ASCII digits only, at
// least one, no sign or spaces, leading zeros allowed; nullopt when anything else is there or the
// value is above max (overflow can therefore never wrap).
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace mv {

template <std::unsigned_integral T>
constexpr std::optional<T> parse_digits(std::string_view s, T max = std::numeric_limits<T>::max()) {
  if (s.empty()) return std::nullopt;
  T n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const T d = static_cast<T>(c - '0');
    if (n > (max - d) / 10) return std::nullopt;
    n = static_cast<T>(n * 10 + d);
  }
  return n;
}

}  // namespace mv
