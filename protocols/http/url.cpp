// SPDX-License-Identifier: Apache-2.0
#include "protocols/http/url.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/common/digits.hpp"

namespace mv {

std::string Url::origin() const {
  std::string s = https ? "https://" : "http://";
  s += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (https ? 443u : 80u)) s += ":" + std::to_string(port);
  return s;
}

std::optional<Url> parse_url(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return std::nullopt;
  Url url;
  if (istarts_with(text, "https://")) {
    text.remove_prefix(8);
  } else if (istarts_with(text, "http://")) {
    text.remove_prefix(7);
    url.https = false;
    url.port = 80;
  } else {
    return std::nullopt;
  }
  const std::size_t end = text.find_first_of("/?");
  std::string_view authority = text.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view() : text.substr(end);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    // An IP literal (RFC 3986 section 3.2.2): an IPv6 address in brackets, nothing else.
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view literal = authority.substr(1, close - 1);
    if (literal.find(':') == std::string_view::npos ||
        literal.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
      return std::nullopt;
    url.host = std::string(literal);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    // Brackets belong to IP literals only.
    if (url.host.find_first_of("[]") != std::string::npos) return std::nullopt;
  }
  if (url.host.empty()) return std::nullopt;
  if (!port.empty()) {
    const std::optional<unsigned> v = parse_digits<unsigned>(port, 65535);
    if (!v || *v == 0) return std::nullopt;
    url.port = *v;
  }
  if (!rest.empty()) url.target = rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
  return url;
}

}  // namespace mv
