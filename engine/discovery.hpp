// SPDX-License-Identifier: Apache-2.0
// The discovery plan: runs every settings source at once in the loop within one deadline, keeps
// each source's outcome (found / nothing / failed with why) and ranks all candidates, best first.
//
// Ranking: first, every candidate whose certificate name can be trusted (a trusted source, a host
// under the user's domain, or a host of the built-in provider table) before one in another,
// unknown domain learned without DNSSEC or HTTPS. Then by source:
//   1. built-in preset: the tool's own table, checked by people;
//   2. autoconfig over HTTPS under the user's domain: the domain's owner speaks, authenticated;
//   3. ISPDB (a local one the user named, then central by domain, then by the MX's domain):
//      curated by people, but about the provider, not this domain;
//   4. SRV validated with DNSSEC: the domain's owner speaks, authenticated;
//   5. unsigned SRV: the domain's owner speaks, but anyone on the path could have forged it;
//   6. MX recognition of a hosted provider: unsigned too, and only a guess that the mailboxes are
//      where the mail is received;
//   7. Autodiscover: Microsoft's, often answered by a catch-all host, least specific.
// Within a source: SRV priority (and the weighted order the SRV source already gave), then RFC
// 8314's preference of implicit TLS over STARTTLS.
// Security (RFC 6186 section 6, RFC 7817): the certificate is always checked against the host
// the candidate names, and every candidate says why that name may be trusted, or warns that it
// came from unsigned DNS (or plain HTTP) and lies outside the user's domain.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/pump.hpp"
#include "engine/source_outcome.hpp"

namespace mv {

struct RankedCandidate {
  SettingsCandidate candidate;
  std::string identity_note;  // which name the certificate is checked against, and why
  bool warning = false;       // an unsigned name outside the user's domain
};

struct DiscoveryResult {
  std::string domain;                   // the address's domain, A-label form
  std::vector<SourceOutcome> outcomes;  // one per source, in the order given
  std::vector<RankedCandidate> ranked;  // best first
  // The best candidate for this role: the first ranked one with TLS (plaintext candidates are
  // shown, never chosen); nullptr when none.
  const RankedCandidate* best(ServerRole role) const;
};

// Pure: ranks the outcomes' candidates (see above).
DiscoveryResult rank_candidates(const std::string& domain, std::vector<SourceOutcome> outcomes);

// Runs the sources at once; each must end by the deadline. A source that has not ended by then
// is reported as failed ("no answer before the deadline").
Task<DiscoveryResult> discover(Pump& pump, std::string domain,
                               const std::vector<PlannedSource>& sources, Millis deadline);

std::string_view server_role_name(ServerRole r);  // "smtp", "imap", "pop3"

}  // namespace mv
