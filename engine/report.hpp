// SPDX-License-Identifier: Apache-2.0
// What a run found, step by step, for every output format to render: each step with its
// duration and facts, warnings that do not fail the run, and the one error (with its diagnosis)
// that did. Plain data; rendering lives in tools/.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace mv {

struct StepRecord {
  std::string name;  // "smtp.connect", "smtp.tls", "smtp.auth", ...
  bool ok = true;
  double ms = 0;       // time this step took
  std::string detail;  // facts, e.g. "TLSv1.2 TLS-ECDHE-... issuer ... expires in 29 days"
};

// What one session's TLS handshake established, for thresholds and machine-readable output.
struct TlsFact {
  std::string session;  // "smtp", "imap", "imap.device2", ...
  std::string version;
  std::string cipher;
  std::string subject;
  std::string issuer;
  long days_to_expiry = 0;
  bool verified = false;
  bool resumed = false;        // abbreviated handshake with a session saved earlier in this run
  std::int64_t not_after = 0;  // the certificate's expiry, Unix seconds (0: no certificate)
};

// Where one session connected: the address the name resolved to, as "host:port" ("[v6]:port").
struct PeerFact {
  std::string session;  // "smtp", "imap", "imap.device2", ...
  std::string address;
};

struct Report {
  std::vector<StepRecord> steps;
  std::vector<TlsFact> tls;
  std::vector<PeerFact> peers;
  std::vector<std::string> warnings;
  Error error;  // category none when the run passed
  double total_ms = 0;
  std::int64_t started_at_ms = 0;  // wall clock when the run began, Unix milliseconds

  bool ok() const { return !error; }
  void add_step(std::string name, double ms, std::string detail, bool ok = true) {
    steps.push_back({std::move(name), ok, ms, std::move(detail)});
  }
};

// Each step's time by name, in the order the steps first came (a step that came again, e.g. a
// retried one, summed into its first place): the phases of a run for the metrics outputs.
inline std::vector<std::pair<std::string, double>> step_totals(const Report& report) {
  std::vector<std::pair<std::string, double>> out;
  for (const StepRecord& s : report.steps) {
    auto it = out.begin();
    while (it != out.end() && it->first != s.name)
      ++it;
    if (it == out.end())
      out.emplace_back(s.name, s.ms);
    else
      it->second += s.ms;
  }
  return out;
}

}  // namespace mv
