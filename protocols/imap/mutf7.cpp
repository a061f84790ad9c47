// SPDX-License-Identifier: Apache-2.0
#include "protocols/imap/mutf7.hpp"

#include <cstdint>

#include "protocols/common/utf8.hpp"

namespace mv {

namespace {

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;  // "/" in ordinary base64
  return -1;
}

// One "&...-" run's base64 (without the delimiters) as UTF-16BE into UTF-8.
bool decode_run(std::string_view b64, std::string& out) {
  std::uint32_t bits = 0;
  int nbits = 0;
  std::uint32_t high = 0;  // a pending high surrogate
  for (char c : b64) {
    const int v = b64_value(c);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    nbits += 6;
    if (nbits < 16) continue;
    nbits -= 16;
    const std::uint32_t unit = (bits >> nbits) & 0xffff;
    bits &= (1u << nbits) - 1;
    if (high != 0) {
      if (unit < 0xdc00 || unit > 0xdfff) return false;
      append_utf8(out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
      high = 0;
    } else if (unit >= 0xd800 && unit <= 0xdbff) {
      high = unit;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    } else if (unit >= 0x20 && unit <= 0x7e) {
      return false;  // printable ASCII must stand for itself
    } else {
      append_utf8(out, unit);
    }
  }
  // Leftover bits are padding: fewer than 6, and zero.
  return high == 0 && nbits < 6 && bits == 0;
}

}  // namespace

std::optional<std::string> decode_mutf7(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
    if (c != '&') {
      out += c;
      continue;
    }
    const std::size_t end = name.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    if (end == i + 1) {
      out += '&';  // "&-"
    } else if (!decode_run(name.substr(i + 1, end - i - 1), out)) {
      return std::nullopt;
    }
    i = end;
  }
  return out;
}

std::string folder_display_name(std::string_view name, bool utf8) {
  if (utf8) return std::string(name);
  if (auto decoded = decode_mutf7(name)) return *decoded;
  return std::string(name);  // UTF-8 as sent, or bytes no decoding makes sense of
}

}  // namespace mv
