// SPDX-License-Identifier: Apache-2.0
#include "engine/srv_discovery.hpp"

#include <sys/random.h>

#include <algorithm>

#include "engine/concurrently.hpp"

namespace mv {

namespace {

unsigned system_random_below(unsigned n) {
  unsigned r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r))
    r = static_cast<unsigned>(monotonic_us());
  return n == 0 ? 0 : r % n;
}

}  // namespace

const std::vector<SrvService>& srv_services() {
  static const std::vector<SrvService> services{
      {"_submissions._tcp", ServerRole::smtp, TlsMode::implicit},
      {"_submission._tcp", ServerRole::smtp, TlsMode::starttls},
      {"_imaps._tcp", ServerRole::imap, TlsMode::implicit},
      {"_imap._tcp", ServerRole::imap, TlsMode::starttls},
      {"_pop3s._tcp", ServerRole::pop3, TlsMode::implicit},
      {"_pop3._tcp", ServerRole::pop3, TlsMode::starttls},
  };
  return services;
}

std::vector<dns::Record> srv_order(std::vector<dns::Record> records,
                                   const std::function<unsigned(unsigned)>& random_below) {
  std::stable_sort(records.begin(), records.end(), [](const dns::Record& a, const dns::Record& b) {
    return a.priority < b.priority;
  });
  std::vector<dns::Record> ordered;
  for (std::size_t begin = 0; begin < records.size();) {
    std::size_t end = begin;
    while (end < records.size() && records[end].priority == records[begin].priority)
      ++end;
    // RFC 2782: weight-0 records first in the list, so they get a small chance of being picked.
    std::vector<dns::Record> group(records.begin() + static_cast<std::ptrdiff_t>(begin),
                                   records.begin() + static_cast<std::ptrdiff_t>(end));
    std::stable_partition(group.begin(), group.end(),
                          [](const dns::Record& r) { return r.weight == 0; });
    while (!group.empty()) {
      unsigned total = 0;
      for (const dns::Record& r : group)
        total += r.weight;
      const unsigned pick = random_below(total + 1);  // 0..total, as the RFC says
      unsigned running = 0;
      std::size_t chosen = group.size() - 1;
      for (std::size_t i = 0; i < group.size(); ++i) {
        running += group[i].weight;
        if (running >= pick) {
          chosen = i;
          break;
        }
      }
      ordered.push_back(group[chosen]);
      group.erase(group.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
    begin = end;
  }
  return ordered;
}

void srv_candidates(const SrvService& service, const std::string& owner,
                    const std::vector<dns::Record>& ordered, bool dnssec, SourceOutcome& into) {
  // RFC 2782: a single record with target "." says the service is decidedly not available.
  if (ordered.size() == 1 && ordered.front().target == ".") {
    into.notes.push_back(owner +
                         ": target \".\": the domain says this service is decidedly not "
                         "available");
    return;
  }
  for (const dns::Record& r : ordered) {
    if (r.target == "." || r.target.empty() || r.port == 0) continue;
    SettingsCandidate c;
    c.role = service.role;
    c.host = r.target;
    c.port = r.port;
    c.tls = service.tls;
    c.source = SettingsSource::srv;
    c.origin = owner;
    c.identity_trusted = dnssec;
    c.priority = r.priority;
    c.weight = r.weight;
    into.candidates.push_back(std::move(c));
  }
}

Task<SourceOutcome> srv_source(Pump& pump, DnsResolver& resolver, std::string domain,
                               Millis deadline) {
  SourceOutcome out;
  out.source = SettingsSource::srv;
  out.origin = "SRV under " + domain;
  const std::vector<SrvService>& services = srv_services();
  std::vector<Task<DnsAnswer>> queries;
  for (const SrvService& s : services)
    queries.push_back(resolver.query(std::string(s.label) + "." + domain, dns::kTypeSrv, deadline));
  const std::vector<std::optional<DnsAnswer>> answers =
      co_await concurrently(pump, std::move(queries), deadline);
  unsigned failed = 0, answered = 0, validated = 0;
  std::string first_failure;
  for (std::size_t i = 0; i < services.size(); ++i) {
    const std::string owner = std::string(services[i].label) + "." + domain;
    if (!answers[i] || answers[i]->status == DnsAnswer::Status::failed) {
      ++failed;
      const std::string why = answers[i] ? answers[i]->why : "no answer before the deadline";
      if (first_failure.empty()) first_failure = owner + ": " + why;
      continue;
    }
    ++answered;
    if (answers[i]->response.authenticated) ++validated;
    if (answers[i]->status == DnsAnswer::Status::nxdomain) continue;
    std::vector<dns::Record> records;
    for (const dns::Record& r : answers[i]->response.answers)
      if (r.type == dns::kTypeSrv) records.push_back(r);
    srv_candidates(services[i], owner, srv_order(std::move(records), system_random_below),
                   answers[i]->response.authenticated, out);
  }
  if (!out.candidates.empty()) {
    out.status = SourceStatus::found;
    out.detail = std::to_string(out.candidates.size()) + " SRV record(s) under " + domain;
    // The AD bit: whether the name server says it validated the answers with DNSSEC.
    out.detail += validated == answered ? " (DNSSEC-validated by the name server)"
                  : validated == 0      ? " (not DNSSEC-validated)"
                                        : " (partly DNSSEC-validated)";
    if (failed > 0) out.notes.push_back("some queries failed: " + first_failure);
  } else if (failed == services.size()) {
    out.status = SourceStatus::failed;
    out.detail = first_failure;
  } else {
    out.status = SourceStatus::nothing;
    out.detail = "no usable SRV record under " + domain;
    if (failed > 0) out.detail += " (some queries failed: " + first_failure + ")";
  }
  co_return out;
}

}  // namespace mv
