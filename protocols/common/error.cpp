// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/error.hpp"

namespace mv {

std::string_view category_name(Category c) {
  switch (c) {
    case Category::none:
      return "none";
    case Category::usage:
      return "usage";
    case Category::network:
      return "network";
    case Category::tls:
      return "tls";
    case Category::protocol:
      return "protocol";
    case Category::auth:
      return "auth";
    case Category::policy:
      return "policy";
    case Category::delivery:
      return "delivery";
    case Category::interrupted:
      return "interrupted";
  }
  return "unknown";
}

Error make_error(Category category, std::string code, std::string detail,
                 std::string_view server_says) {
  Error e;
  e.category = category;
  e.code = std::move(code);
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
