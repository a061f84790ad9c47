// SPDX-License-Identifier: Apache-2.0
#include "protocols/json/value.hpp"

#include <limits>

#include "protocols/common/digits.hpp"
#include "protocols/common/utf8.hpp"

namespace mv {

JsonValue JsonValue::make_string(std::string s) {
  JsonValue v(Kind::string);
  v.text_ = std::move(s);
  return v;
}

JsonValue JsonValue::make_number(std::int64_t n) {
  JsonValue v(Kind::number);
  v.text_ = std::to_string(n);
  return v;
}

JsonValue JsonValue::make_bool(bool b) {
  JsonValue v(Kind::boolean);
  v.boolean_ = b;
  return v;
}

const JsonValue* JsonValue::get(std::string_view key) const {
  for (const auto& [k, v] : members_)
    if (k == key) return &v;
  return nullptr;
}

std::optional<std::string_view> JsonValue::string_at(std::string_view key) const {
  const JsonValue* v = get(key);
  if (!v || v->kind_ != Kind::string) return std::nullopt;
  return std::string_view(v->text_);
}

std::optional<std::int64_t> JsonValue::integer_at(std::string_view key) const {
  const JsonValue* v = get(key);
  if (!v || (v->kind_ != Kind::number && v->kind_ != Kind::string)) return std::nullopt;
  std::string_view t = v->text_;
  bool negative = false;
  if (v->kind_ == Kind::number && !t.empty() && t.front() == '-') {
    negative = true;
    t.remove_prefix(1);
  }
  const std::optional<std::uint64_t> n =
      parse_digits<std::uint64_t>(t, std::numeric_limits<std::int64_t>::max());
  if (!n) return std::nullopt;
  return negative ? -static_cast<std::int64_t>(*n) : static_cast<std::int64_t>(*n);
}

void JsonValue::set(std::string key, JsonValue value) {
  for (auto& [k, v] : members_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  members_.emplace_back(std::move(key), std::move(value));
}

class JsonParser {
 public:
  JsonParser(std::string_view text, Error& error, const Limits& limits)
      : s_(text), error_(error), limits_(limits) {}

  std::optional<JsonValue> document() {
    if (s_.size() > limits_.max_json_bytes)
      return fail(ErrorKind::json_too_large, "the JSON document is larger than " +
                                                 std::to_string(limits_.max_json_bytes) + " bytes");
    JsonValue v;
    if (!value(v, 0)) return std::nullopt;
    skip_ws();
    if (pos_ != s_.size()) return fail(ErrorKind::json_syntax, "bytes after the JSON value");
    return v;
  }

 private:
  std::nullopt_t fail(ErrorKind kind, std::string what) {
    if (!error_)
      error_ = make_error(kind, Protocol::none, what + " (at byte " + std::to_string(pos_) + ")",
                          s_.substr(pos_, 40));
    return std::nullopt;
  }

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) {
      fail(ErrorKind::json_syntax, "an unknown word in the JSON document");
      return false;
    }
    pos_ += word.size();
    return true;
  }

  bool value(JsonValue& out, std::size_t depth) {
    if (++values_ > limits_.max_json_values) {
      fail(ErrorKind::json_too_large, "the JSON document has more than " +
                                          std::to_string(limits_.max_json_values) + " values");
      return false;
    }
    skip_ws();
    if (pos_ >= s_.size()) {
      fail(ErrorKind::json_syntax, "the JSON document ends where a value was due");
      return false;
    }
    switch (s_[pos_]) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"':
        out.kind_ = JsonValue::Kind::string;
        return string(out.text_);
      case 't':
        out.kind_ = JsonValue::Kind::boolean;
        out.boolean_ = true;
        return literal("true");
      case 'f':
        out.kind_ = JsonValue::Kind::boolean;
        return literal("false");
      case 'n':
        out.kind_ = JsonValue::Kind::null;
        return literal("null");
      default:
        out.kind_ = JsonValue::Kind::number;
        return number(out.text_);
    }
  }

  bool deeper(std::size_t depth) {
    if (depth <= limits_.max_json_depth) return true;
    fail(ErrorKind::json_depth, "the JSON document nests deeper than " +
                                    std::to_string(limits_.max_json_depth) + " levels");
    return false;
  }

  bool object(JsonValue& out, std::size_t depth) {
    if (!deeper(depth)) return false;
    out.kind_ = JsonValue::Kind::object;
    ++pos_;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') {
        fail(ErrorKind::json_syntax, "an object member without a string name");
        return false;
      }
      const std::size_t key_at = pos_;
      std::string key;
      if (!string(key)) return false;
      if (out.get(key)) {
        pos_ = key_at;
        fail(ErrorKind::json_duplicate_key, "the JSON object repeats the member \"" + key + "\"");
        return false;
      }
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') {
        fail(ErrorKind::json_syntax, "an object member without ':'");
        return false;
      }
      ++pos_;
      JsonValue v;
      if (!value(v, depth)) return false;
      out.members_.emplace_back(std::move(key), std::move(v));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      fail(ErrorKind::json_syntax, "an object not closed by '}'");
      return false;
    }
  }

  bool array(JsonValue& out, std::size_t depth) {
    if (!deeper(depth)) return false;
    out.kind_ = JsonValue::Kind::array;
    ++pos_;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      JsonValue v;
      if (!value(v, depth)) return false;
      out.items_.push_back(std::move(v));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      fail(ErrorKind::json_syntax, "an array not closed by ']'");
      return false;
    }
  }

  bool digits() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
      ++pos_;
    return pos_ > start;
  }

  bool number(std::string& out) {
    const std::size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      fail(ErrorKind::json_syntax, "an invalid JSON value");
      return false;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) {
        fail(ErrorKind::json_syntax, "a number without digits after '.'");
        return false;
      }
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) {
        fail(ErrorKind::json_syntax, "a number without exponent digits");
        return false;
      }
    }
    out.assign(s_.substr(start, pos_ - start));
    return true;
  }

  int hex4() {
    if (pos_ + 4 > s_.size()) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_ + static_cast<std::size_t>(i)];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    pos_ += 4;
    return v;
  }

  // One UTF-8 sequence starting at pos_ (RFC 3629: shortest form, no surrogates, <= U+10FFFF).
  bool utf8(std::string& out) {
    const auto b0 = static_cast<unsigned char>(s_[pos_]);
    std::size_t n = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : 2;
    if (b0 < 0xc2 || b0 > 0xf4 || pos_ + n > s_.size()) {
      fail(ErrorKind::json_utf8, "a JSON string is not valid UTF-8");
      return false;
    }
    std::uint32_t cp = b0 & (0x7f >> n);
    for (std::size_t i = 1; i < n; ++i) {
      const auto b = static_cast<unsigned char>(s_[pos_ + i]);
      if ((b & 0xc0) != 0x80) {
        fail(ErrorKind::json_utf8, "a JSON string is not valid UTF-8");
        return false;
      }
      cp = (cp << 6) | (b & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
      fail(ErrorKind::json_utf8, "a JSON string is not valid UTF-8");
      return false;
    }
    out.append(s_.substr(pos_, n));
    pos_ += n;
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // the opening quote
    for (;;) {
      if (pos_ >= s_.size()) {
        fail(ErrorKind::json_syntax, "a JSON string is not closed");
        return false;
      }
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        fail(ErrorKind::json_syntax, "a raw control character in a JSON string");
        return false;
      }
      if (c >= 0x80) {
        if (!utf8(out)) return false;
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      if (++pos_ >= s_.size()) {
        fail(ErrorKind::json_syntax, "a JSON string ends in an escape");
        return false;
      }
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          int hi = hex4();
          if (hi < 0) {
            fail(ErrorKind::json_syntax, "a \\u escape without four hex digits");
            return false;
          }
          std::uint32_t cp = static_cast<std::uint32_t>(hi);
          if (hi >= 0xdc00 && hi <= 0xdfff) {
            fail(ErrorKind::json_utf8, "a lone low surrogate in a JSON string");
            return false;
          }
          if (hi >= 0xd800 && hi <= 0xdbff) {
            int lo = -1;
            if (s_.substr(pos_, 2) == "\\u") {
              pos_ += 2;
              lo = hex4();
            }
            if (lo < 0xdc00 || lo > 0xdfff) {
              fail(ErrorKind::json_utf8, "a high surrogate without its low half in a JSON string");
              return false;
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + static_cast<std::uint32_t>(lo - 0xdc00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          fail(ErrorKind::json_syntax, "an unknown escape in a JSON string");
          return false;
      }
    }
  }

  std::string_view s_;
  Error& error_;
  const Limits& limits_;
  std::size_t pos_ = 0;
  std::size_t values_ = 0;
};

std::optional<JsonValue> parse_json(std::string_view text, Error& error, const Limits& limits) {
  JsonParser parser(text, error, limits);
  return parser.document();
}

namespace {

void write_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void write_value(std::string& out, const JsonValue& v) {
  switch (v.kind()) {
    case JsonValue::Kind::null:
      out += "null";
      return;
    case JsonValue::Kind::boolean:
      out += v.boolean() ? "true" : "false";
      return;
    case JsonValue::Kind::number:
      out += v.text();
      return;
    case JsonValue::Kind::string:
      write_string(out, v.text());
      return;
    case JsonValue::Kind::array: {
      out += '[';
      bool first = true;
      for (const JsonValue& item : v.items()) {
        if (!first) out += ',';
        first = false;
        write_value(out, item);
      }
      out += ']';
      return;
    }
    case JsonValue::Kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, m] : v.members()) {
        if (!first) out += ',';
        first = false;
        write_string(out, k);
        out += ':';
        write_value(out, m);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string write_json(const JsonValue& value) {
  std::string out;
  write_value(out, value);
  return out;
}

}  // namespace mv
