// SPDX-License-Identifier: Apache-2.0
// What one settings-discovery source (a preset, SRV records, MX recognition, autoconfig XML,
// Autodiscover) reports to the discovery plan (engine/discovery.hpp): the candidates it found and
// how its search went, found / nothing / failed with why, so the output can say for every source
// what it did.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/settings_candidate.hpp"
#include "engine/task.hpp"
#include "protocols/common/conversation.hpp"

namespace mv {

enum class SourceStatus { found, nothing, failed };

struct SourceOutcome {
  std::string source;  // "SRV", "MX", "preset", "autoconfig", ...
  SourceStatus status = SourceStatus::nothing;
  std::string detail;  // what it found, or why nothing, or why it failed
  std::vector<SettingsCandidate> candidates;
  std::vector<std::string> notes;  // facts worth showing ("_pop3._tcp: service not available")
  // The MX host's registered domain ("outlook.com"), for sources that look it up (ISPDB by MX).
  std::string mx_domain;
};

// A source as the plan runs it: a task that looks and ends by the deadline it is given.
using DiscoverySource = std::function<Task<SourceOutcome>(Millis deadline)>;

std::string_view source_status_name(SourceStatus s);  // "found", "nothing", "failed"

}  // namespace mv
