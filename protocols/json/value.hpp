// SPDX-License-Identifier: Apache-2.0
// A bounded JSON reader (RFC 8259) for the small documents of OAuth2 and discovery endpoints, and
// the writer that serialises the same values back (grant files, parse -> write -> parse checks).
// Parsing takes a whole document (the HTTP layer has already collected the bounded body) and
// refuses what an attacker could use to confuse two readers: a duplicate key in one object
// (refused, never "first" or "last wins"), invalid UTF-8, lone surrogates, raw control characters
// in strings, leading zeros, trailing bytes, a document larger than Limits::max_json_bytes, nesting
// deeper than max_json_depth, more than max_json_values values. Numbers keep their exact text.
// Errors carry a stable code ("json.syntax", "json.depth", "json.too_large", "json.duplicate_key",
// "json.utf8") and the byte offset. No exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace mv {

class JsonValue {
 public:
  enum class Kind { null, boolean, number, string, array, object };

  JsonValue() = default;
  static JsonValue make_string(std::string s);
  static JsonValue make_number(std::int64_t n);
  static JsonValue make_bool(bool b);
  static JsonValue make_object() { return JsonValue(Kind::object); }
  static JsonValue make_array() { return JsonValue(Kind::array); }

  Kind kind() const { return kind_; }
  bool is(Kind k) const { return kind_ == k; }
  bool boolean() const { return boolean_; }
  // A string's value (UTF-8), or a number's exact text.
  const std::string& text() const { return text_; }
  const std::vector<JsonValue>& items() const { return items_; }
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }

  // Objects: the member's value, or nullptr.
  const JsonValue* get(std::string_view key) const;
  // Objects: a string member's value; nullopt when absent or not a string.
  std::optional<std::string_view> string_at(std::string_view key) const;
  // Objects: an integer member (a JSON integer, or a string of digits as some providers send
  // "expires_in"); nullopt when absent, fractional or out of range.
  std::optional<std::int64_t> integer_at(std::string_view key) const;

  // Building (writer side). set() replaces a member of the same name.
  void set(std::string key, JsonValue value);
  void push(JsonValue value) { items_.push_back(std::move(value)); }

 private:
  friend class JsonParser;
  explicit JsonValue(Kind k) : kind_(k) {}
  Kind kind_ = Kind::null;
  bool boolean_ = false;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

// The document's value, or nullopt with error set (protocol category).
std::optional<JsonValue> parse_json(std::string_view text, Error& error,
                                    const Limits& limits = kDefaultLimits);

// Compact JSON; strings escaped (control characters as \u00XX, '/' as is), valid UTF-8 kept.
std::string write_json(const JsonValue& value);

}  // namespace mv
