// SPDX-License-Identifier: Apache-2.0
// What one settings-discovery source (a preset, SRV records, MX recognition, autoconfig XML, the
// ISPDB, Autodiscover) reports to the discovery plan (engine/discovery.hpp): which source, exactly
// where it asked (and where the answer finally came from after redirects), how its search went
// (found / nothing / failed, with why), the candidates, and the facts worth printing (redirects
// followed, entries skipped, an address Autodiscover redirects to, the MX's registered domain). A
// source that fails is not a run failure: discovery goes on with the other sources, and the plan
// prints every outcome.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "engine/settings_candidate.hpp"
#include "engine/task.hpp"
#include "protocols/autoconfig/discovered_server.hpp"
#include "protocols/common/conversation.hpp"

namespace mv {

enum class SourceStatus { found, nothing, failed };

struct SourceOutcome {
  SettingsSource source = SettingsSource::autoconfig_subdomain;
  SourceStatus status = SourceStatus::nothing;
  std::string detail;     // what it found, or why nothing, or why it failed
  std::string origin;     // the URL asked, the local file read, the DNS name asked
  std::string final_url;  // where the answer came from after redirects (origin when none)
  std::vector<std::string> redirects;  // each redirect followed, "FROM -> TO"
  bool left_domain = false;            // a redirect went to another registered domain (followed,
                                       // said in notes, and no candidate is identity_trusted)
  std::vector<SettingsCandidate> candidates;  // in the source's order of preference
  std::vector<std::string> notes;             // facts and warnings, one sentence each
  std::string redirect_email;  // Autodiscover's redirectAddr: ask again for this address
  std::string mx_domain;       // the MX host's registered domain, for sources that look it up
  Error error;                 // why an HTTPS or file source gave no candidates (none: it gave)
};

// A source as the plan runs it: a task that looks and ends by the deadline it is given.
using DiscoverySource = std::function<Task<SourceOutcome>(Millis deadline)>;

// A source with what the plan says of it when it has not ended by the deadline.
struct PlannedSource {
  SettingsSource source = SettingsSource::preset;
  std::string origin;  // where it asks ("https://autoconfig.example.org/...", "_imaps._tcp...")
  DiscoverySource run;
};

// Appends a document's servers as candidates of the outcome's source, each from its final URL.
void add_candidates(SourceOutcome& out, std::vector<DiscoveredServer> servers,
                    bool identity_trusted);

// Sets an HTTPS or file source's status and detail from its candidates and error: found when it
// gave candidates; nothing when there was nothing to ask (no such host, HTTP 404 or 410); failed
// with the error's words otherwise.
void settle_status(SourceOutcome& out);

// The source's name as the report's steps and outputs use it ("autoconfig_subdomain", ...).
std::string_view settings_source_name(SettingsSource source);
std::string_view source_status_name(SourceStatus s);  // "found", "nothing", "failed"

// "a, b, c": the lists notes name.
std::string comma_list(const std::vector<std::string>& items);

}  // namespace mv
