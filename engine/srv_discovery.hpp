// SPDX-License-Identifier: Apache-2.0
// Settings from SRV records (RFC 6186, with RFC 8314's implicit-TLS services): _submissions,
// _submission, _imaps, _imap, _pop3s and _pop3 under the address's domain, asked at once. Records
// come out in RFC 2782 order (lowest priority first, weighted random order among equals); a
// target of "." means the service is decidedly not available there: said in a note, never a
// candidate. A record from an answer the resolver validated with DNSSEC (AD) may name the
// certificate's reference identity; any other is marked untrusted (RFC 6186 section 6).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/dns_resolver.hpp"
#include "engine/source_outcome.hpp"

namespace mv {

struct SrvService {
  const char* label;  // "_submissions._tcp"
  ServerRole role;
  TlsMode tls;
};
// In RFC 8314's order of preference within each protocol: implicit TLS first.
const std::vector<SrvService>& srv_services();

// RFC 2782's order: by priority, then within each priority a weighted random pick, again and
// again; random_below(n) gives a number in [0, n). Records of weight 0 stay possible picks.
std::vector<dns::Record> srv_order(std::vector<dns::Record> records,
                                   const std::function<unsigned(unsigned)>& random_below);

// The candidates and notes of one service's answer (already in srv_order).
void srv_candidates(const SrvService& service, const std::string& owner,
                    const std::vector<dns::Record>& ordered, bool dnssec, SourceOutcome& into);

// The source: every service's query at once; the address's domain in A-label form.
Task<SourceOutcome> srv_source(Pump& pump, DnsResolver& resolver, std::string domain,
                               Millis deadline);

}  // namespace mv
