// SPDX-License-Identifier: Apache-2.0
// --discover, --discover-only and a run without servers: asks the discovery sources (the preset,
// SRV, the MX's provider; the HTTP-based ones plug in at discovery_sources() in the .cpp) through
// the run's name servers (--dns-server, else /etc/resolv.conf), ranks the candidates and puts the
// best into the run's endpoints, under every explicit option (an explicit host keeps its endpoint
// as given; an explicit port or TLS mode wins over the discovered one). With --dns-server, every
// endpoint's host is then looked up at that server too, like `dig @server` (--resolve still wins).
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "engine/discovery.hpp"
#include "engine/dns_resolver.hpp"
#include "tools/options.hpp"

namespace mv::tool {

struct DiscoveryReport {
  bool ran = false;                 // the sources were asked
  std::vector<NameServer> servers;  // the name servers used
  DiscoveryResult result;
  std::vector<const RankedCandidate*> chosen;  // into result.ranked: what the run uses
  Error error;                                 // why the run cannot go on (diagnosed)
};

// Runs discovery when o.discovery asks for it or needs it, and the address lookups at
// --dns-server; fills o.config's endpoints. The report's error is set when the run cannot go on.
DiscoveryReport discover_settings(ToolOptions& o);

// Whether discovery (or the name server's address lookups) has anything to do for these options.
bool wants_discovery(const ToolOptions& o);

}  // namespace mv::tool
