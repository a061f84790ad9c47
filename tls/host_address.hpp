// SPDX-License-Identifier: Apache-2.0
// A server address as a user types it: a host name, an IPv4 address ("192.0.2.1"), an IPv6
// address bare ("::1") or in brackets ("[::1]", as in URLs), or an SMTP address literal
// ("[192.0.2.1]", "[IPv6:::1]", RFC 5321 4.1.3). Literals need no name lookup, and their
// certificate must name the address itself in an iPAddress subjectAltName (RFC 6125 / 5280),
// which the TLS layer then checks (tls/ip_san.hpp). Knows nothing of mail.
#pragma once

#include <optional>
#include <string>

namespace mv {

struct HostAddress {
  enum class Kind { name, ipv4, ipv6 };
  Kind kind = Kind::name;
  std::string host;  // the name as typed, or the address in its canonical bare text form
  // Network byte order (4 or 16 bytes) for a literal; empty for a name.
  std::string bytes;
  bool literal() const { return kind != Kind::name; }
};

// nullopt when the text is bracketed (or holds a ':') but is no valid IP address; a name is
// returned as it is (its characters are the caller's to check).
std::optional<HostAddress> parse_host_address(const std::string& typed);

// "[::1]" for an IPv6 address, the text itself otherwise: for messages and "host:port".
std::string display_host(const std::string& host);

}  // namespace mv
