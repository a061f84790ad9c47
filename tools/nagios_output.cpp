// SPDX-License-Identifier: Apache-2.0
#include "tools/nagios_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "tools/verdict.hpp"

namespace mv::tool {

namespace {

const char* status_word(int status) {
  switch (status) {
    case kNagiosOk:
      return "OK";
    case kNagiosWarning:
      return "WARNING";
    case kNagiosCritical:
      return "CRITICAL";
    default:
      return "UNKNOWN";
  }
}

// Plugin output is one line, and '|' starts the performance data: neither may come from text.
std::string plugin_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    out += c == '|' ? '/' : (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::isfinite(v) ? v : 0.0);
  return buf;
}

std::string optional_threshold(const std::optional<double>& v) {
  return v ? fixed(*v, 0) : std::string{};
}

// Time spent in the steps of one session prefix ("smtp.", "imap.", "pop3.").
std::optional<double> phase_ms(const Report& report, std::string_view prefix) {
  std::optional<double> sum;
  for (const StepRecord& s : report.steps)
    if (s.name.rfind(prefix, 0) == 0) sum = sum.value_or(0) + s.ms;
  return sum;
}

std::string seconds_text(double s) {
  return fixed(s, s < 10 ? 1 : 0) + " s";
}

}  // namespace

std::optional<long> min_cert_days(const Report& report) {
  std::optional<long> min;
  for (const TlsFact& t : report.tls)
    if (!min || t.days_to_expiry < *min) min = t.days_to_expiry;
  return min;
}

NagiosVerdict render_nagios(const RunConfig& config, const RunResult& result,
                            const NagiosThresholds& t) {
  const Report& report = result.report;
  int status = kNagiosOk;
  std::vector<std::string> problems;
  auto raise = [&](int to, std::string why) {
    if (to > status) status = to;
    problems.push_back(std::move(why));
  };

  if (report.error) {
    const Error& e = report.error;
    std::string why = (e.step.empty() ? std::string("start") : e.step) + " failed: " + e.detail +
                      " [" + e.code + "]";
    if (!e.cause.empty()) why += "; cause: " + e.cause;
    // A usage error or an interrupted run has no verdict on the account.
    const bool no_verdict = e.category == Category::usage || e.category == Category::interrupted;
    raise(no_verdict ? kNagiosUnknown : kNagiosCritical, std::move(why));
  }
  const double total_s = report.total_ms / 1000.0;
  if (t.critical_s && total_s > *t.critical_s) {
    raise(kNagiosCritical, "took " + seconds_text(total_s) + " (critical above " +
                               seconds_text(*t.critical_s) + ")");
  } else if (t.warning_s && total_s > *t.warning_s) {
    raise(kNagiosWarning,
          "took " + seconds_text(total_s) + " (warning above " + seconds_text(*t.warning_s) + ")");
  }
  const std::optional<long> cert_days = min_cert_days(report);
  if (cert_days) {
    const std::string expiry = "a certificate expires in " + std::to_string(*cert_days) + " days";
    if (t.cert_critical_days && *cert_days < *t.cert_critical_days) {
      raise(kNagiosCritical,
            expiry + " (critical below " + std::to_string(*t.cert_critical_days) + ")");
    } else if (t.cert_warning_days && *cert_days < *t.cert_warning_days) {
      raise(kNagiosWarning,
            expiry + " (warning below " + std::to_string(*t.cert_warning_days) + ")");
    }
  }
  for (const std::string& w : report.warnings)
    raise(kNagiosWarning, w);

  std::string text;
  if (problems.empty()) {
    text = config.email + ": " + verdict_text(config, result) + " in " + fixed(report.total_ms, 0) +
           " ms";
  } else {
    text = config.email + ": ";
    for (std::size_t i = 0; i < problems.size(); ++i)
      text += (i ? "; " : "") + problems[i];
  }

  std::string perf;
  auto add = [&](std::string label, std::string value) {
    if (!perf.empty()) perf += ' ';
    perf += label + "=" + value;
  };
  if (config.send)
    if (auto ms = phase_ms(report, "smtp.")) add("smtp", fixed(*ms, 1) + "ms;;;0");
  if (config.read_back) {
    const char* proto = config.receive == Receive::imap ? "imap" : "pop3";
    if (auto ms = phase_ms(report, std::string(proto) + ".")) add(proto, fixed(*ms, 1) + "ms;;;0");
  }
  if (result.delivery_ms) add("delivery", fixed(*result.delivery_ms, 1) + "ms;;;0");
  auto ms_threshold = [](const std::optional<double>& s) {
    return s ? std::optional<double>(*s * 1000) : std::nullopt;
  };
  add("total", fixed(report.total_ms, 1) + "ms;" + optional_threshold(ms_threshold(t.warning_s)) +
                   ";" + optional_threshold(ms_threshold(t.critical_s)) + ";0");
  if (cert_days) {  // "N:" is the plugin range "alert below N"
    add("cert_days", std::to_string(*cert_days) + ";" +
                         (t.cert_warning_days ? std::to_string(*t.cert_warning_days) + ":" : "") +
                         ";" +
                         (t.cert_critical_days ? std::to_string(*t.cert_critical_days) + ":" : ""));
  }
  return {status, std::string("MAILVERIFY ") + status_word(status) + " - " + plugin_text(text) +
                      " | " + perf};
}

NagiosVerdict render_nagios_accounts(const std::vector<NagiosAccount>& accounts, double total_ms) {
  int worst = kNagiosOk;
  bool critical = false;
  std::size_t failed = 0;
  std::string failures, warnings;
  for (const NagiosAccount& a : accounts) {
    const int status = render_nagios(a.config, a.result, a.thresholds).exit_code;
    critical = critical || status == kNagiosCritical;
    worst = std::max(worst, status);
    const Error& e = a.result.report.error;
    if (e) {
      ++failed;
      failures += (failures.empty() ? "" : ", ") + a.config.email + " (" +
                  (e.step.empty() ? std::string("start") : e.step) + ": " + e.code + ")";
    } else if (status != kNagiosOk) {
      warnings += (warnings.empty() ? "" : ", ") + a.config.email;
    }
  }
  const int status = critical ? kNagiosCritical : worst;
  const std::string n = std::to_string(accounts.size());
  std::string text;
  if (failed) text = std::to_string(failed) + " of " + n + " accounts failed: " + failures;
  if (!warnings.empty()) text += (text.empty() ? "" : "; ") + std::string("warnings: ") + warnings;
  if (text.empty()) text = "all " + n + " accounts passed";
  text += " in " + fixed(total_ms, 0) + " ms";
  const std::string perf = "accounts_ok=" + std::to_string(accounts.size() - failed) + ";;;0;" + n +
                           " accounts_failed=" + std::to_string(failed) + ";;;0;" + n +
                           " total_ms=" + fixed(total_ms, 1) + "ms;;;0";
  return {status, std::string("MAILVERIFY ") + status_word(status) + " - " + plugin_text(text) +
                      " | " + perf};
}

NagiosVerdict nagios_usage_error(const std::string& message) {
  return {kNagiosUnknown, "MAILVERIFY UNKNOWN - usage: " + plugin_text(message)};
}

}  // namespace mv::tool
