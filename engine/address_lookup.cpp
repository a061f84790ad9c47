// SPDX-License-Identifier: Apache-2.0
#include "engine/address_lookup.hpp"

#include <arpa/inet.h>

#include "engine/concurrently.hpp"

namespace mv {

std::vector<std::string> address_literals(const dns::Response& response) {
  std::vector<std::string> out;
  for (const dns::Record& r : response.answers) {
    char text[INET6_ADDRSTRLEN] = "";
    if (r.type == dns::kTypeA && r.address.size() == 4)
      inet_ntop(AF_INET, r.address.data(), text, sizeof text);
    else if (r.type == dns::kTypeAaaa && r.address.size() == 16)
      inet_ntop(AF_INET6, r.address.data(), text, sizeof text);
    else
      continue;
    out.emplace_back(text);
  }
  return out;
}

Task<AddressLookup> lookup_addresses(Pump& pump, DnsResolver& resolver, std::string host,
                                     Family family, Millis deadline) {
  std::vector<std::uint16_t> types;
  if (family != Family::ipv4) types.push_back(dns::kTypeAaaa);
  if (family != Family::ipv6) types.push_back(dns::kTypeA);
  std::vector<Task<DnsAnswer>> queries;
  for (std::uint16_t t : types)
    queries.push_back(resolver.query(host, t, deadline));
  const std::vector<std::optional<DnsAnswer>> answers =
      co_await concurrently(pump, std::move(queries), deadline);
  AddressLookup out;
  std::string failures;
  bool nxdomain = false;
  for (const std::optional<DnsAnswer>& a : answers) {
    if (!a || a->status == DnsAnswer::Status::failed) {
      if (failures.empty()) failures = a ? a->why : "no answer before the deadline";
      continue;
    }
    nxdomain = nxdomain || a->status == DnsAnswer::Status::nxdomain;
    for (std::string& literal : address_literals(a->response))
      out.addresses.push_back(std::move(literal));
  }
  if (out.addresses.empty()) {
    const std::string at = resolver.servers().empty() ? "" : " at " + resolver.servers()[0].text();
    out.why = !failures.empty() ? "cannot resolve host name " + host + ": " + failures
              : nxdomain        ? "host name " + host + " does not exist (NXDOMAIN" + at + ")"
                                : "host name " + host + " has no address (asked" + at + ")";
  }
  co_return out;
}

}  // namespace mv
