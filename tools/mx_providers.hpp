// SPDX-License-Identifier: Apache-2.0
// Settings from the domain's MX: when it names a hosted mailbox provider (Microsoft 365, Google
// Workspace, Fastmail, ...), that provider's published settings, taken from the preset table
// (tools/presets.hpp) so no host is written twice. An MX of a mail filter (Mimecast, Proofpoint,
// Barracuda, ...) is said to be a filter, not a mailbox provider: the mailboxes are elsewhere.
// One table, each row with the MX host pattern and where the provider documents it.
// The MX's registered domain is exposed for the ISPDB-by-MX source (Thunderbird asks the ISPDB
// for it too).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/dns_resolver.hpp"
#include "engine/source_outcome.hpp"
#include "tools/presets.hpp"

namespace mv::tool {

struct MxProvider {
  std::string_view pattern;  // an exact host, or ".suffix" for any host under it
  std::string_view display;  // "Microsoft 365"
  std::string_view preset;   // the preset whose settings apply; empty: none built in
  bool filter = false;       // a mail filter in front of the real mailbox provider
  std::string_view source;   // where the provider documents its MX names
};

// The row that recognises this MX host (lower case, no trailing dot); nullopt: unknown.
std::optional<MxProvider> recognise_mx(std::string_view mx_host);

// A preset's servers as candidates from this source.
std::vector<SettingsCandidate> preset_candidates(const ProviderPreset& preset,
                                                 SettingsSource source, const std::string& origin);

// The domain's MX hosts, lowest preference first (empty: none, or the answer says why).
struct MxHosts {
  DnsAnswer answer;
  std::vector<std::string> hosts;
};
Task<MxHosts> mx_hosts(DnsResolver& resolver, std::string domain, Millis deadline);

// The source: the domain's MX (lowest preference first), recognised.
Task<SourceOutcome> mx_source(DnsResolver& resolver, std::string domain, Millis deadline);

}  // namespace mv::tool
