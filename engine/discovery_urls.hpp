// SPDX-License-Identifier: Apache-2.0
// Where settings discovery asks over HTTPS, and the domain rules for what it may believe:
// - Thunderbird autoconfig: https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=<addr>,
//   https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=<addr>, and the
//   central ISPDB <base><domain> (base https://autoconfig.thunderbird.net/v1.1/, overridable for
//   a mirror and for tests), asked by the address's domain and by the MX host's domain;
// - Microsoft Autodiscover (POST): https://<domain>/autodiscover/autodiscover.xml and
//   https://autodiscover.<domain>/autodiscover/autodiscover.xml.
// Domains are A-labels, lower case (the caller converts an IDN first).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/settings_candidate.hpp"

namespace mv {

inline constexpr std::string_view kIspdbBase = "https://autoconfig.thunderbird.net/v1.1/";

std::string autoconfig_subdomain_url(std::string_view domain, std::string_view email);
std::string autoconfig_well_known_url(std::string_view domain, std::string_view email);
// base + domain, with a '/' between them when base has none.
std::string ispdb_url(std::string_view base, std::string_view domain);
// The two endpoints, in the order Outlook asks them.
std::vector<std::string> autodiscover_urls(std::string_view domain);

// One autoconfig document to fetch: with fetch_autoconfig(pump, tls, source, url, email,
// covered_domain, ...).
struct AutoconfigRequest {
  SettingsSource source;
  std::string url;
  std::string covered_domain;  // the domain the document must list
};

// Every autoconfig URL for an address, in the order Thunderbird asks them: the domain's own
// autoconfig host, its well-known path, the ISPDB by the domain, and (when the plan knows the MX
// host's registered domain and it differs) the ISPDB by that domain.
std::vector<AutoconfigRequest> autoconfig_requests(std::string_view domain, std::string_view email,
                                                   std::string_view ispdb_base = kIspdbBase,
                                                   std::string_view mx_domain = {});

// The registered domain of a host ("imap.mail.example.co.uk" -> "example.co.uk"), as far as this
// tool needs it to tell whether a redirect leaves the domain: the last two labels, or three when
// the second-level label is one of the common public second levels under a two-letter country
// code (co, com, net, org, ac, gov, edu, ne, or). No public suffix list (no dependency): where the
// guess is too wide, a redirect is only not reported; where it is too narrow, a redirect within
// the domain is reported as leaving it. An IP address is its own domain.
std::string registered_domain(std::string_view host);

// Whether host is domain or a name under it (case-insensitive).
bool host_within(std::string_view host, std::string_view domain);

}  // namespace mv
