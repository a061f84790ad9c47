// SPDX-License-Identifier: Apache-2.0
// What one settings-discovery source gave: which source, exactly where it asked (and where the
// answer finally came from after redirects), the candidates, the facts worth printing (redirects
// followed, entries skipped, an address Autodiscover redirects to), and why it gave nothing. A
// source that fails is not a run failure: discovery goes on with the other sources, and the plan
// prints every outcome.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "engine/settings_candidate.hpp"
#include "protocols/autoconfig/discovered_server.hpp"

namespace mv {

struct SourceOutcome {
  SettingsSource source = SettingsSource::autoconfig_subdomain;
  std::string origin;     // the URL asked, or the local file read
  std::string final_url;  // where the answer came from after redirects (origin when none)
  std::vector<std::string> redirects;  // each redirect followed, "FROM -> TO"
  bool left_domain = false;            // a redirect went to another registered domain (followed,
                                       // said in notes, and no candidate is identity_trusted)
  std::vector<SettingsCandidate> candidates;  // in the source's order of preference
  std::vector<std::string> notes;             // facts and warnings, one sentence each
  std::string redirect_email;  // Autodiscover's redirectAddr: ask again for this address
  Error error;                 // why the source gave no candidates (category none: it gave some)
};

// Appends a document's servers as candidates of the outcome's source, each from its final URL.
void add_candidates(SourceOutcome& out, std::vector<DiscoveredServer> servers,
                    bool identity_trusted);

// The source's name as the report's steps and outputs use it ("autoconfig_subdomain", ...).
std::string_view settings_source_name(SettingsSource source);

// "a, b, c": the lists notes name.
std::string comma_list(const std::vector<std::string>& items);

}  // namespace mv
