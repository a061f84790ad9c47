// SPDX-License-Identifier: Apache-2.0
// --nagios: the monitoring-plugins rendering of a run. One line
//   MAILVERIFY OK|WARNING|CRITICAL|UNKNOWN - text | perfdata
// with perfdata per phase (label=value[UOM];warn;crit;min;max) and the plugin exit code: 0 OK,
// 1 WARNING (report warnings, a threshold passed), 2 CRITICAL (any failure, a critical threshold),
// 3 UNKNOWN (usage errors: the check itself could not run).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/run.hpp"

namespace mv::tool {

enum NagiosStatus : int {
  kNagiosOk = 0,
  kNagiosWarning = 1,
  kNagiosCritical = 2,
  kNagiosUnknown = 3
};

struct NagiosThresholds {
  std::optional<double> warning_s;         // --warning: total time in seconds
  std::optional<double> critical_s;        // --critical
  std::optional<long> cert_warning_days;   // --cert-warning: days to certificate expiry
  std::optional<long> cert_critical_days;  // --cert-critical
};

struct NagiosVerdict {
  int exit_code = kNagiosUnknown;
  std::string line;  // without the trailing newline
};

NagiosVerdict render_nagios(const RunConfig& config, const RunResult& result,
                            const NagiosThresholds& thresholds);

// --accounts --nagios: one line for every account. CRITICAL when any account failed (or passed
// a critical threshold), else the worst of the accounts' own verdicts; perfdata accounts_ok,
// accounts_failed and total_ms (the whole batch, wall time).
struct NagiosAccount {
  const RunConfig& config;
  const RunResult& result;
  const NagiosThresholds& thresholds;
};
NagiosVerdict render_nagios_accounts(const std::vector<NagiosAccount>& accounts, double total_ms);

// The check could not run (bad command line, no password): UNKNOWN.
NagiosVerdict nagios_usage_error(const std::string& message);

// The fewest days to certificate expiry over the run's TLS steps, parsed from their detail
// ("... expires in N days"); nullopt when no TLS step reported one. A stopgap until the engine
// reports certificate facts as structured data.
std::optional<long> min_cert_days(const Report& report);

}  // namespace mv::tool
