// SPDX-License-Identifier: Apache-2.0
// What a run found, step by step, for every output format to render: each step with its
// duration and facts, warnings that do not fail the run, and the one error (with its diagnosis)
// that did. Plain data; rendering lives in tools/.
#pragma once

#include <string>
#include <vector>

#include "protocols/common/error.hpp"

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
  bool resumed = false;  // abbreviated handshake with a session saved earlier in this run
};

struct Report {
  std::vector<StepRecord> steps;
  std::vector<TlsFact> tls;
  std::vector<std::string> warnings;
  Error error;  // category none when the run passed
  double total_ms = 0;

  bool ok() const { return !error; }
  void add_step(std::string name, double ms, std::string detail, bool ok = true) {
    steps.push_back({std::move(name), ok, ms, std::move(detail)});
  }
};

}  // namespace mv
