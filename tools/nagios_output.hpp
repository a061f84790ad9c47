// SPDX-License-Identifier: Apache-2.0
// --nagios: the monitoring-plugins rendering of a run (Monitoring Plugins Development Guidelines).
// One line
//   MAILVERIFY OK|WARNING|CRITICAL|UNKNOWN - text | perfdata
// with perfdata in seconds for every step, each session, delivery and the total, and certificate
// days (label=value[UOM];warn;crit;min;max, the thresholds as given), then long output with -v;
// and the plugin exit code: 0 OK, 1 WARNING (report warnings, a warning range passed),
// 2 CRITICAL (any failure, a critical range passed, the -t deadline unless told otherwise),
// 3 UNKNOWN (usage errors, interrupted: the check itself could not run).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/run.hpp"
#include "tools/plugin_range.hpp"

namespace mv::tool {

enum NagiosStatus : int {
  kNagiosOk = 0,
  kNagiosWarning = 1,
  kNagiosCritical = 2,
  kNagiosUnknown = 3
};

struct NagiosThresholds {
  std::optional<PluginRange> warning;            // -w: the run's total seconds
  std::optional<PluginRange> critical;           // -c
  std::optional<PluginRange> delivery_warning;   // --delivery-warning: seconds to delivery
  std::optional<PluginRange> delivery_critical;  // --delivery-critical
  long cert_warning_days = 14;                   // --cert-warning: days to certificate expiry
  std::optional<long> cert_critical_days;        // --cert-critical
  int deadline_state = kNagiosCritical;          // -t SECONDS:STATE, when the deadline passes
};

struct NagiosVerdict {
  int exit_code = kNagiosUnknown;
  std::string line;  // without the trailing newline
};

// long_output (-v): after the first line, one line per step, then the server's words and the fix.
NagiosVerdict render_nagios(const RunConfig& config, const RunResult& result,
                            const NagiosThresholds& thresholds, bool long_output = false);

// --accounts --nagios: one summary line for every account. CRITICAL when any account failed (or
// passed a critical threshold), else the worst of the accounts' own verdicts; perfdata
// accounts_ok, accounts_failed and total (the whole batch, wall time). With long_output (-v) one
// line per account follows; then the per-account perfdata ('LABEL total', 'LABEL delivery',
// 'LABEL ok', 'LABEL cert_days'), one account a line, after a '|'.
struct NagiosAccount {
  const RunConfig& config;
  const RunResult& result;
  const NagiosThresholds& thresholds;
  std::string label;  // the account's name (--name, "NAME:" in the file) or its address
};
NagiosVerdict render_nagios_accounts(const std::vector<NagiosAccount>& accounts, double total_ms,
                                     bool long_output = false);

// The check could not run (bad command line, no password): UNKNOWN.
NagiosVerdict nagios_usage_error(const std::string& message);

// The fewest days to certificate expiry over the run's TLS steps, parsed from their detail
// ("... expires in N days"); nullopt when no TLS step reported one. A stopgap until the engine
// reports certificate facts as structured data.
std::optional<long> min_cert_days(const Report& report);

}  // namespace mv::tool
