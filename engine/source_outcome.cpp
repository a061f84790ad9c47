// SPDX-License-Identifier: Apache-2.0
#include "engine/source_outcome.hpp"

namespace mv {

void add_candidates(SourceOutcome& out, std::vector<DiscoveredServer> servers,
                    bool identity_trusted) {
  for (DiscoveredServer& s : servers) {
    SettingsCandidate c;
    c.role = s.protocol == "smtp"   ? ServerRole::smtp
             : s.protocol == "pop3" ? ServerRole::pop3
                                    : ServerRole::imap;
    c.host = std::move(s.host);
    c.port = s.port;
    c.tls = s.tls;
    c.username = std::move(s.username);
    c.auth = std::move(s.auth);
    c.source = out.source;
    c.origin = out.final_url;
    c.identity_trusted = identity_trusted;
    out.candidates.push_back(std::move(c));
  }
}

std::string_view settings_source_name(SettingsSource source) {
  switch (source) {
    case SettingsSource::preset:
      return "preset";
    case SettingsSource::autoconfig_subdomain:
      return "autoconfig_subdomain";
    case SettingsSource::autoconfig_well_known:
      return "autoconfig_well_known";
    case SettingsSource::ispdb:
      return "ispdb";
    case SettingsSource::ispdb_mx:
      return "ispdb_mx";
    case SettingsSource::ispdb_local:
      return "ispdb_local";
    case SettingsSource::srv:
      return "srv";
    case SettingsSource::mx_provider:
      return "mx_provider";
    case SettingsSource::autodiscover:
      return "autodiscover";
  }
  return "unknown";
}

std::string comma_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace mv
