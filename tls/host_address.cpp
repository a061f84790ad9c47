// SPDX-License-Identifier: Apache-2.0
#include "tls/host_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "protocols/common/ascii.hpp"

namespace mv {

namespace {

std::optional<HostAddress> as_literal(const std::string& text, bool allow_v4, bool allow_v6) {
  HostAddress out;
  char canonical[INET6_ADDRSTRLEN] = {};
  if (allow_v4) {
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
      out.kind = HostAddress::Kind::ipv4;
      out.bytes.assign(reinterpret_cast<const char*>(&v4), sizeof v4);
      inet_ntop(AF_INET, &v4, canonical, sizeof canonical);
      out.host = canonical;
      return out;
    }
  }
  if (allow_v6) {
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
      out.kind = HostAddress::Kind::ipv6;
      out.bytes.assign(reinterpret_cast<const char*>(&v6), sizeof v6);
      inet_ntop(AF_INET6, &v6, canonical, sizeof canonical);
      out.host = canonical;
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<HostAddress> parse_host_address(const std::string& typed) {
  if (!typed.empty() && typed.front() == '[') {
    if (typed.size() < 3 || typed.back() != ']') return std::nullopt;
    const std::string inner = typed.substr(1, typed.size() - 2);
    // RFC 5321's IPv6 address literal carries a tag; URL brackets do not.
    if (istarts_with(inner, "IPv6:")) return as_literal(inner.substr(5), false, true);
    return as_literal(inner, true, true);
  }
  if (auto literal = as_literal(typed, true, true)) return literal;
  // A name never holds a ':' (a port belongs in --*-port); such text is a mistyped address.
  if (typed.find(':') != std::string::npos) return std::nullopt;
  HostAddress name;
  name.host = typed;
  return name;
}

std::string display_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace mv
