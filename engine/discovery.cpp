// SPDX-License-Identifier: Apache-2.0
#include "engine/discovery.hpp"

#include <algorithm>

#include "engine/concurrently.hpp"
#include "protocols/common/ascii.hpp"

namespace mv {

namespace {

// The ranks of engine/discovery.hpp's list (lower is better).
int source_rank(const SettingsCandidate& c) {
  switch (c.source) {
    case SettingsSource::preset:
      return 0;
    case SettingsSource::autoconfig_subdomain:
    case SettingsSource::autoconfig_well_known:
      return 1;
    case SettingsSource::ispdb_local:
      return 2;
    case SettingsSource::ispdb:
      return 3;
    case SettingsSource::ispdb_mx:
      return 4;
    case SettingsSource::srv:
      return c.identity_trusted ? 5 : 6;
    case SettingsSource::mx_provider:
      return 7;
    case SettingsSource::autodiscover:
      return 8;
  }
  return 9;
}

bool under_domain(const std::string& host, const std::string& domain) {
  if (domain.empty()) return false;
  if (iequals(host, domain)) return true;
  return host.size() > domain.size() + 1 && host[host.size() - domain.size() - 1] == '.' &&
         iequals(std::string_view(host).substr(host.size() - domain.size()), domain);
}

std::string_view trusted_because(SettingsSource s) {
  switch (s) {
    case SettingsSource::preset:
      return "the built-in provider table names it";
    case SettingsSource::mx_provider:
      return "it is a host of the built-in provider table (the MX only chose the provider)";
    case SettingsSource::srv:
      return "the SRV answer was validated with DNSSEC (AD bit)";
    case SettingsSource::ispdb_local:
      return "you named the local ISPDB (--ispdb)";
    case SettingsSource::ispdb:
      return "the ISPDB is curated and was fetched over HTTPS";
    default:
      return "the source was fetched over HTTPS under your domain";
  }
}

RankedCandidate judge(SettingsCandidate c, const std::string& domain) {
  RankedCandidate r;
  const std::string checked = "the certificate is checked against " + c.host + ": ";
  if (c.identity_trusted) {
    r.identity_note = checked + std::string(trusted_because(c.source));
  } else if (under_domain(c.host, domain)) {
    r.identity_note = checked + "it is under your address's domain " + domain;
  } else {
    r.warning = true;
    r.identity_note = "WARNING: " + c.host + " is outside your address's domain " + domain +
                      " and was learned without DNSSEC or HTTPS: anyone on the path could have "
                      "named it; the certificate is checked against " +
                      c.host + ", which proves only that the server is " + c.host;
  }
  r.candidate = std::move(c);
  return r;
}

}  // namespace

std::string_view server_role_name(ServerRole r) {
  switch (r) {
    case ServerRole::smtp:
      return "smtp";
    case ServerRole::imap:
      return "imap";
    case ServerRole::pop3:
      return "pop3";
  }
  return "smtp";
}

const RankedCandidate* DiscoveryResult::best(ServerRole role) const {
  for (const RankedCandidate& r : ranked)
    if (r.candidate.role == role && r.candidate.tls != TlsMode::none) return &r;
  return nullptr;
}

DiscoveryResult rank_candidates(const std::string& domain, std::vector<SourceOutcome> outcomes) {
  DiscoveryResult result;
  result.domain = domain;
  for (const SourceOutcome& o : outcomes)
    for (const SettingsCandidate& c : o.candidates)
      result.ranked.push_back(judge(c, domain));
  std::stable_sort(result.ranked.begin(), result.ranked.end(),
                   [](const RankedCandidate& a, const RankedCandidate& b) {
                     const SettingsCandidate &x = a.candidate, &y = b.candidate;
                     if (a.warning != b.warning) return !a.warning;
                     if (source_rank(x) != source_rank(y)) return source_rank(x) < source_rank(y);
                     if (x.priority != y.priority) return x.priority < y.priority;
                     const bool xi = x.tls == TlsMode::implicit, yi = y.tls == TlsMode::implicit;
                     return xi && !yi;
                   });
  result.outcomes = std::move(outcomes);
  return result;
}

Task<DiscoveryResult> discover(Pump& pump, std::string domain,
                               const std::vector<PlannedSource>& sources, Millis deadline) {
  std::vector<Task<SourceOutcome>> tasks;
  for (const PlannedSource& s : sources)
    tasks.push_back(s.run(deadline));
  std::vector<std::optional<SourceOutcome>> ended =
      co_await concurrently(pump, std::move(tasks), deadline);
  std::vector<SourceOutcome> outcomes;
  for (std::size_t i = 0; i < ended.size(); ++i) {
    if (ended[i]) {
      outcomes.push_back(std::move(*ended[i]));
      continue;
    }
    SourceOutcome late;
    late.source = sources[i].source;
    late.origin = sources[i].origin;
    late.status = SourceStatus::failed;
    late.detail = "no answer before the deadline";
    outcomes.push_back(std::move(late));
  }
  co_return rank_candidates(domain, std::move(outcomes));
}

}  // namespace mv
