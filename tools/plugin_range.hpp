// SPDX-License-Identifier: Apache-2.0
// Numbers and threshold ranges as the Monitoring Plugins Development Guidelines define them, read
// strictly: a value is the whole word or a usage error ("5abc", "5 ", "0x5" and "" are refused).
// A range "[@]start:end" alerts when the value lies outside [start, end] (or inside it, with a
// leading '@'); "10" is 0:10, "10:" has no end, "~:10" no start.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mv::tool {

// A decimal number ("12", "-1.5", "0.25"; no exponent, hex, inf or nan). nullopt otherwise.
std::optional<double> parse_decimal(std::string_view s);

// A whole number in [min, max], digits only (a leading '-' when min < 0). nullopt otherwise.
std::optional<long long> parse_whole(std::string_view s, long long min, long long max);

struct PluginRange {
  std::optional<double> start;  // nullopt: "~", no lower bound
  std::optional<double> end;    // nullopt: no upper bound
  bool inside = false;          // '@': alert inside the range instead of outside it

  // Whether a value passes this threshold (the guidelines' "alert" is the negation).
  bool alerts(double value) const;
  // The range as the plugins' syntax writes it, its bounds multiplied by scale (for perfdata in
  // another unit than the option's).
  std::string text(double scale = 1) const;
};

// Parses a range; nullopt (and why) when it is not one, or when start > end.
std::optional<PluginRange> parse_range(std::string_view s, std::string& error);

// A number for perfdata and plugin text: at most `decimals` decimals, trailing zeros dropped.
std::string plugin_number(double v, int decimals = 6);

}  // namespace mv::tool
