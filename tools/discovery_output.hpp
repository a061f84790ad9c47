// SPDX-License-Identifier: Apache-2.0
// How settings discovery is shown: for people, a block with every source's outcome and every
// candidate (host:port, TLS, where it came from, which name its certificate is checked against,
// or a warning), then what the run uses; for --json, the "discovery" object of the schema.
#pragma once

#include <ostream>
#include <string>

#include "tools/settings_discovery.hpp"

namespace mv::tool {

void print_discovery(std::ostream& out, const DiscoveryReport& report);

// The "discovery" object (schema/verify-roundtrip.schema.json); empty when discovery did not run.
std::string discovery_json(const DiscoveryReport& report);

}  // namespace mv::tool
