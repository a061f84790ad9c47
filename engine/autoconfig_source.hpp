// SPDX-License-Identifier: Apache-2.0
// Thunderbird autoconfig as a settings-discovery source: fetch one config-v1.1.xml over HTTPS
// (engine/https_follow.hpp: the run's TlsContext verifies the certificate; redirects bounded,
// reported, never to http://) or take a local ISPDB document the tools layer read, and turn it
// into SettingsCandidates with provenance. Whatever goes wrong (no answer in time, TLS, 404,
// another status, a body over the limit, non-XML or malformed XML, a document for another
// domain, no usable server) is the outcome's error: discovery goes on with the other sources.
//
// identity_trusted (may the document name the host the certificate is checked against?):
// - autoconfig_subdomain, autoconfig_well_known: only when the answer came over HTTPS from a
//   host within the address's own domain, with no redirect leaving it: then the domain's owner
//   published the settings (RFC 6186 section 6's concern is a name an attacker could inject);
// - ispdb: yes, without a redirect leaving its domain: the ISPDB is curated and reviewed by
//   Thunderbird's maintainers and served over HTTPS (a mirror given with the base URL is the
//   user's choice);
// - ispdb_mx: no: which entry is asked depends on an MX record, DNS without DNSSEC, which an
//   attacker could answer;
// - ispdb_local: yes: the user named the file.
#pragma once

#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "engine/https_request.hpp"
#include "engine/source_outcome.hpp"

namespace mv {

// GETs url (one of engine/discovery_urls.hpp's, or a test's). email fills the placeholders;
// domain is the one the document must list (the address's domain; for ispdb_mx the MX's
// domain). The report gets the steps "discover.<source>.connect", ".tls", ...
Task<SourceOutcome> fetch_autoconfig(Pump& pump, TlsContext& tls, SettingsSource source,
                                     std::string url, std::string email, std::string domain,
                                     Timeouts timeouts, Report& report,
                                     const Limits& limits = kDefaultLimits,
                                     ConnectRoute route = {});

// A local ISPDB document (read by the caller, at most Limits::max_xml_document bytes), as the
// source ispdb_local; origin names the file.
SourceOutcome local_ispdb_outcome(std::string_view document, std::string origin,
                                  std::string_view email, std::string_view domain,
                                  const Limits& limits = kDefaultLimits);

}  // namespace mv
