// SPDX-License-Identifier: Apache-2.0
#include "tools/plugin_range.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mv::tool {

std::optional<double> parse_decimal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t digits = 0, dots = 0;
  for (std::size_t k = i; k < s.size(); ++k) {
    if (s[k] >= '0' && s[k] <= '9') {
      ++digits;
    } else if (s[k] == '.' && dots == 0) {
      ++dots;
    } else {
      return std::nullopt;
    }
  }
  if (digits == 0 || s.size() > 40) return std::nullopt;
  const std::string copy(s);
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<long long> parse_whole(std::string_view s, long long min, long long max) {
  std::size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) {
    if (min >= 0) return std::nullopt;
    i = 1;
  }
  if (i == s.size() || s.size() - i > 18) return std::nullopt;
  long long v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  if (negative) v = -v;
  if (v < min || v > max) return std::nullopt;
  return v;
}

bool PluginRange::alerts(double value) const {
  const bool in = (!start || value >= *start) && (!end || value <= *end);
  return inside ? in : !in;
}

std::string PluginRange::text(double scale) const {
  std::string out = inside ? "@" : "";
  if (!start)
    out += "~:";
  else if (*start != 0 || !end)
    out += plugin_number(*start * scale) + ":";
  if (end) out += plugin_number(*end * scale);
  return out;
}

std::optional<PluginRange> parse_range(std::string_view s, std::string& error) {
  PluginRange r;
  std::string_view body = s;
  if (!body.empty() && body[0] == '@') {
    r.inside = true;
    body.remove_prefix(1);
  }
  const std::size_t colon = body.find(':');
  std::string_view lo =
      colon == std::string_view::npos ? std::string_view{} : body.substr(0, colon);
  std::string_view hi = colon == std::string_view::npos ? body : body.substr(colon + 1);
  error =
      "\"" + std::string(s) + "\" is not a range (10, 10:, ~:10, 10:20 or @10:20, numbers only)";
  if (colon == std::string_view::npos) {
    r.start = 0;
  } else if (lo != "~") {
    r.start = parse_decimal(lo);
    if (!r.start) return std::nullopt;
  }
  if (colon == std::string_view::npos || !hi.empty()) {
    r.end = parse_decimal(hi);
    if (!r.end) return std::nullopt;
  }
  if (!r.start && !r.end) return std::nullopt;  // "~:" would never alert
  if (r.start && r.end && *r.start > *r.end) {
    error = "\"" + std::string(s) + "\": the start of a range may not be above its end";
    return std::nullopt;
  }
  error.clear();
  return r;
}

std::string plugin_number(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::isfinite(v) ? v : 0.0);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0')
      s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

}  // namespace mv::tool
