// SPDX-License-Identifier: Apache-2.0
#include "core/error.hpp"

namespace mv {

Error make_error(ErrorKind kind, Protocol protocol, std::string detail,
                 std::string_view server_says, ServerSignal signal) {
  Error e;
  e.kind = kind;
  e.protocol = protocol;
  e.category = default_category(kind);
  if (signal.temporary() && e.category != Category::usage) e.category = Category::temporary;
  e.code = error_code(kind, protocol);
  e.signal = std::move(signal);
  e.signal.alert = sanitize_server_text(e.signal.alert);
  e.detail = std::move(detail);
  e.server_says = sanitize_server_text(server_says);
  return e;
}

void append_escaped(std::string& out, unsigned char c, bool keep_tab) {
  static constexpr char kHex[] = "0123456789abcdef";
  if ((c >= 0x20 && c != 0x7f) || (keep_tab && c == '\t')) {
    out += static_cast<char>(c);
    return;
  }
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

std::string sanitize_server_text(std::string_view text, size_t max_len) {
  std::string out;
  out.reserve(text.size() < max_len ? text.size() : max_len);
  for (unsigned char c : text) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    append_escaped(out, c);
  }
  return out;
}

}  // namespace mv
