// SPDX-License-Identifier: Apache-2.0
// Thunderbird's autoconfig format, clientConfig version 1.1 (the ISPDB's and a domain's own
// config-v1.1.xml): the emailProvider's domains (does the document cover an address's domain?),
// its incomingServer (imap, pop3) and outgoingServer (smtp) entries in the document's order,
// which is the provider's preference order, each with hostname, port, socketType (SSL, STARTTLS,
// plain), username with placeholders and authentication values; and the top-level oAuth2
// endpoints when given. Unknown elements are ignored; server entries this tool cannot use (other
// types, a bad host or port, an unknown socketType) are skipped with a note saying why.
// Whole-document, over the bounded XML reader; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "protocols/autoconfig/discovered_server.hpp"

namespace mv {

struct AutoconfigOAuth2 {
  std::string issuer, scope, auth_url, token_url;
};

struct ClientConfig {
  std::string provider_id;  // emailProvider's id attribute
  std::string display_name;
  std::vector<std::string> domains;  // lower case
  std::vector<DiscoveredServer> servers;
  std::optional<AutoconfigOAuth2> oauth2;
  std::vector<std::string> notes;  // entries skipped and why

  // Whether the document lists this domain (case-insensitive) among its emailProvider's.
  bool covers(std::string_view domain) const;
};

// The document's settings for this address (placeholders filled from it), or nullopt with error
// set: the XML reader's "xml.*" errors, or "discover.document" when it is not a clientConfig
// with an emailProvider.
std::optional<ClientConfig> parse_client_config(std::string_view document, std::string_view email,
                                                Error& error,
                                                const Limits& limits = kDefaultLimits);

}  // namespace mv
