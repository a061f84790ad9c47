// SPDX-License-Identifier: Apache-2.0
// One server setting that settings discovery found, with where it came from (provenance) and
// whether that source may name the host the TLS certificate is checked against (RFC 6186 section
// 6, RFC 7817: names learned from DNS without DNSSEC, or from plain HTTP, are not trusted as the
// reference identity without saying so). Every discovery source (presets, autoconfig XML, SRV,
// MX recognition, Autodiscover) produces these; the discovery plan ranks them.
#pragma once

#include <string>
#include <vector>

#include "protocols/common/tls_mode.hpp"

namespace mv {

enum class ServerRole { smtp, imap, pop3 };

enum class SettingsSource {
  preset,                 // the tool's built-in provider table
  autoconfig_subdomain,   // https://autoconfig.<domain>/mail/config-v1.1.xml
  autoconfig_well_known,  // https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml
  ispdb,                  // the central ISPDB by the address's domain
  ispdb_mx,               // the central ISPDB by the MX host's registered domain
  ispdb_local,            // a local ISPDB directory or file the user named
  srv,                    // RFC 6186 / 8314 SRV record
  mx_provider,            // the MX names a known hosted provider (Microsoft 365, Google, ...)
  autodiscover,           // Microsoft Autodiscover (POX) answering without credentials
};

struct SettingsCandidate {
  ServerRole role = ServerRole::imap;
  std::string host;  // A-label form, lower case, no trailing dot
  unsigned port = 0;
  TlsMode tls = TlsMode::implicit;
  std::string username;           // the login the source names (placeholders filled in);
                                  // empty: the source said nothing (use the address)
  std::vector<std::string> auth;  // the source's words: "password-cleartext", "OAuth2", ...
  SettingsSource source = SettingsSource::preset;
  std::string origin;             // exactly where: URL, SRV owner name, file, preset name
  bool identity_trusted = false;  // the source may name the certificate's reference identity
                                  // (HTTPS under the user's domain, DNSSEC-validated, preset)
  int priority = 0, weight = 0;   // SRV ordering (lower priority first); 0 for other sources
};

}  // namespace mv
