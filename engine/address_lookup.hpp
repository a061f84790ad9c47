// SPDX-License-Identifier: Apache-2.0
// A host's addresses from the run's own name server (--dns-server), like `dig @server`: AAAA and A
// asked at once through the loop's resolver (engine/dns_resolver.hpp), the answers' addresses
// (following the CNAME chain the server includes) as literals, IPv6 first, which is the form
// Endpoint::address takes. Used instead of the system resolver when the user named a server.
#pragma once

#include <string>
#include <vector>

#include "engine/dns_resolver.hpp"
#include "tls/connector.hpp"

namespace mv {

struct AddressLookup {
  std::vector<std::string> addresses;  // literals, IPv6 first
  std::string why;                     // when empty: no address, and why
};

Task<AddressLookup> lookup_addresses(Pump& pump, DnsResolver& resolver, std::string host,
                                     Family family, Millis deadline);

// The A/AAAA records of a response as literals ("192.0.2.7", "2001:db8::1").
std::vector<std::string> address_literals(const dns::Response& response);

}  // namespace mv
