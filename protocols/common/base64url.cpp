// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/base64url.hpp"

#include "protocols/common/base64.hpp"

namespace mv {

std::string base64url_encode(std::string_view data) {
  std::string s = base64_encode(data);
  while (!s.empty() && s.back() == '=')
    s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string s(text);
  while (!s.empty() && s.back() == '=')
    s.pop_back();
  if (s.size() % 4 == 1) return std::nullopt;
  for (char& c : s) {
    if (c == '+' || c == '/') return std::nullopt;
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0)
    s += '=';
  return base64_decode(s);
}

}  // namespace mv
