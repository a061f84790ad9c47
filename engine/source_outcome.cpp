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

void settle_status(SourceOutcome& out) {
  if (!out.candidates.empty()) {
    out.status = SourceStatus::found;
    out.detail = std::to_string(out.candidates.size()) + " server setting(s) from " +
                 (out.final_url.empty() ? out.origin : out.final_url);
    return;
  }
  const bool absent =
      out.error.kind == ErrorKind::dns || out.error.kind == ErrorKind::discover_not_found;
  out.status = absent ? SourceStatus::nothing : SourceStatus::failed;
  out.detail = out.error ? out.error.detail : "no server settings from " + out.origin;
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

std::string_view source_status_name(SourceStatus s) {
  switch (s) {
    case SourceStatus::found:
      return "found";
    case SourceStatus::nothing:
      return "nothing";
    case SourceStatus::failed:
      return "failed";
  }
  return "failed";
}

std::string comma_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace mv
