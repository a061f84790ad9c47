// SPDX-License-Identifier: Apache-2.0
// DNS queries in the one loop (engine/pump.hpp): a query goes over UDP to the name servers in
// turn, from a socket of its own (a fresh kernel-chosen source port) with a random ID, and only an
// answer that matches it (ID, question name and type) is taken; anything else on the socket
// (malformed, late, forged) is ignored, so a forged datagram cannot end the query, and is only
// named in the failure if no answer comes. A truncated answer (TC) is asked again over TCP with
// RFC 1035 4.2.2 framing. Each try waits at most attempt_timeout, and the whole query never
// outlives its deadline; many queries run at once, none blocks the loop. The parse is
// protocols/dns/message.hpp's.
// Promises: a DnsAnswer says which server answered and whether the resolver validated it with
// DNSSEC (the AD bit); NXDOMAIN and "no records" are answers, not failures; a failure says why
// for every server tried ("127.0.0.1:53: no answer within 2.0 s; ...").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "engine/pump.hpp"
#include "engine/task.hpp"
#include "protocols/dns/message.hpp"

namespace mv {

struct NameServer {
  std::string address;  // an IPv4 or IPv6 literal (no brackets)
  unsigned port = 53;
  std::string text() const;  // "127.0.0.1:53", "[::1]:53"
};

struct DnsAnswer {
  enum class Status { answered, nxdomain, failed };
  Status status = Status::failed;
  dns::Response response;  // when answered or nxdomain
  std::string server;      // the name server that answered ("127.0.0.1:5353")
  std::string why;         // when failed: what each server did
  bool over_tcp = false;   // the answer came over TCP after a truncated UDP one
};

class DnsResolver {
 public:
  // servers: tried in this order, one try each per round, as long as the deadline allows.
  // limits bound each answer (Limits::max_dns_records, max_dns_pointer_hops) and the rounds over
  // the servers (max_dns_rounds).
  DnsResolver(Pump& pump, std::vector<NameServer> servers, Millis attempt_timeout = 2'000,
              const Limits& limits = kDefaultLimits);

  // name: A-label form, without the trailing dot. Ends by the deadline at the latest.
  Task<DnsAnswer> query(std::string name, std::uint16_t type, Millis deadline);

  const std::vector<NameServer>& servers() const { return servers_; }

 private:
  struct Try {
    bool done = false;         // an answer (or a final word) came
    bool next_server = false;  // this server failed: ask the next one
    DnsAnswer answer;
    std::string note;  // why this try failed
  };
  static Try judged(const dns::Response& response, bool over_tcp);
  Task<Try> ask_udp(const NameServer& server, const std::string& name, std::uint16_t type,
                    Millis until);
  Task<Try> ask_tcp(const NameServer& server, const std::string& name, std::uint16_t type,
                    Millis until);

  Pump& pump_;
  std::vector<NameServer> servers_;
  Millis attempt_timeout_;
  Limits limits_;
};

// Whether this response answers a query for name and type with this ID (case-insensitive name).
bool answers_query(const dns::Response& response, std::uint16_t id, const std::string& name,
                   std::uint16_t type);

}  // namespace mv
