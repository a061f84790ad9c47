// SPDX-License-Identifier: Apache-2.0
// Where a connection goes instead of where DNS says, as curl's two options say it, in one place.
// --connect-to HOST1:PORT1:HOST2:PORT2: a connection to HOST1 on PORT1 goes to HOST2 on PORT2
// (an empty HOST1 or PORT1 matches any; an empty HOST2 or PORT2 keeps the original; IPv6 in
// brackets; the first that applies wins), while HOST1 stays the name checked in the certificate.
// Then --resolve applies to where the connection goes.
// --resolve HOST:PORT:ADDRESS[,ADDRESS]... as curl reads it: connections to HOST on PORT go to
// those addresses (in order; an IPv6 one in brackets) instead of a DNS lookup, while HOST stays
// the name checked against the certificate and the one provider knowledge looks at. HOST may be
// "*" (any host on that port); a leading "+" is accepted and ignored (curl's "add timeout" form);
// later uses do not override earlier ones for the same HOST:PORT, as with curl.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mv::tool {

struct ResolvePin {
  std::string host;  // lower case, or "*"
  unsigned port = 0;
  std::vector<std::string> addresses;  // literals without brackets
};

// One --resolve value; an error message (naming the value) when it does not parse.
std::optional<ResolvePin> parse_resolve(std::string_view value, std::string& error);

// cxxopts splits a repeated option's values at commas too: glue address-list pieces ("::1",
// "192.0.2.7") back onto the HOST:PORT: value they follow.
std::vector<std::string> rejoin_resolve_values(const std::vector<std::string>& pieces);

// The addresses for host:port as Endpoint::address wants them ("192.0.2.7,2001:db8::1"); empty
// when no pin applies.
std::string pinned_address(const std::vector<ResolvePin>& pins, std::string_view host,
                           unsigned port);

struct ConnectTo {
  std::string from_host;   // lower case; empty: any host
  unsigned from_port = 0;  // 0: any port
  std::string to_host;     // empty: the same host
  unsigned to_port = 0;    // 0: the same port
};

// One --connect-to value; an error message (naming the value) when it does not parse.
std::optional<ConnectTo> parse_connect_to(std::string_view value, std::string& error);

// Where a connection to host:port goes after --connect-to and --resolve: the name or address list
// for Endpoint::address (empty: host itself, looked up) and the port to connect to.
struct ConnectTarget {
  std::string address;
  unsigned port = 0;
};
ConnectTarget connect_target(const std::vector<ConnectTo>& connect_to,
                             const std::vector<ResolvePin>& pins, std::string_view host,
                             unsigned port);

}  // namespace mv::tool
