// SPDX-License-Identifier: Apache-2.0
#include "tools/nagios_output.hpp"

#include <algorithm>
#include <cctype>
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

// A perfdata label: quoted when it holds more than letters, digits and _.@-; '=' cannot appear.
std::string perf_label(std::string_view s) {
  bool plain = !s.empty();
  std::string quoted = "'";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    plain = plain && (std::isalnum(u) || c == '_' || c == '.' || c == '@' || c == '-');
    quoted += c == '\'' ? std::string("''") : std::string(1, c == '=' ? '_' : c);
  }
  return plain ? std::string(s) : plugin_text(quoted + "'");
}

// label=value[UOM];warn;crit;min;max, empty fields kept so the positions hold.
class Perfdata {
 public:
  void add(std::string_view label, const std::string& value, const std::string& rest) {
    if (!text_.empty()) text_ += ' ';
    text_ += perf_label(label) + "=" + value + ";" + rest;
  }
  void seconds(std::string_view label, double ms, const std::optional<PluginRange>& warn = {},
               const std::optional<PluginRange>& crit = {}) {
    add(label, plugin_number(ms / 1000.0) + "s",
        (warn ? warn->text() : "") + ";" + (crit ? crit->text() : "") + ";0");
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

std::string seconds_text(double s) {
  return plugin_number(s, s < 10 ? 3 : 1) + " s";
}

// Time spent in the steps of one session prefix ("smtp.", "imap.", "pop3.").
std::optional<double> phase_ms(const Report& report, std::string_view prefix) {
  std::optional<double> sum;
  for (const StepRecord& s : report.steps)
    if (s.name.rfind(prefix, 0) == 0) sum = sum.value_or(0) + s.ms;
  return sum;
}

// Checks a value (seconds) against a -w/-c pair; what passed, worded, raised through `raise`.
template <typename Raise>
void check_range(const char* what, double s, const std::optional<PluginRange>& warn,
                 const std::optional<PluginRange>& crit, Raise&& raise) {
  if (crit && crit->alerts(s)) {
    raise(kNagiosCritical,
          std::string(what) + " " + seconds_text(s) + " (critical range " + crit->text() + ")");
  } else if (warn && warn->alerts(s)) {
    raise(kNagiosWarning,
          std::string(what) + " " + seconds_text(s) + " (warning range " + warn->text() + ")");
  }
}

std::string step_where(const Error& e) {
  return e.step.empty() ? std::string("start") : e.step;
}

// The per-account perfdata of --accounts: its total, delivery, result and certificate days.
void account_perfdata(Perfdata& perf, const NagiosAccount& a) {
  const Report& report = a.result.report;
  const std::string& l = a.label;
  perf.seconds(l + " total", report.total_ms, a.thresholds.warning, a.thresholds.critical);
  if (a.result.delivery_ms)
    perf.seconds(l + " delivery", *a.result.delivery_ms, a.thresholds.delivery_warning,
                 a.thresholds.delivery_critical);
  perf.add(l + " ok", report.ok() ? "1" : "0", ";;0;1");
  if (const std::optional<long> days = min_cert_days(report))
    perf.add(l + " cert_days", std::to_string(*days),
             std::to_string(a.thresholds.cert_warning_days) + ":;" +
                 (a.thresholds.cert_critical_days
                      ? std::to_string(*a.thresholds.cert_critical_days) + ":"
                      : ""));
}

}  // namespace

std::optional<long> min_cert_days(const Report& report) {
  std::optional<long> min;
  for (const TlsFact& t : report.tls)
    if (!min || t.days_to_expiry < *min) min = t.days_to_expiry;
  return min;
}

NagiosVerdict render_nagios(const RunConfig& config, const RunResult& result,
                            const NagiosThresholds& t, bool long_output) {
  const Report& report = result.report;
  int status = kNagiosOk;
  std::vector<std::string> problems;
  auto raise = [&](int to, std::string why) {
    if (to > status) status = to;
    problems.push_back(std::move(why));
  };

  if (report.error) {
    const Error& e = report.error;
    std::string why = step_where(e) + " failed: " + e.detail + " [" + e.code + "]";
    if (!e.cause.empty()) why += "; cause: " + e.cause;
    // A usage error or an interrupted run has no verdict on the account; a run that outlived -t
    // ends as -t's STATE says (CRITICAL unless told otherwise, as the plugins' --timeout does).
    const bool no_verdict = e.category == Category::usage || e.category == Category::interrupted;
    // A temporary refusal ("try again later") is WARNING: the server answered and asked for a
    // retry; the next check (or max_check_attempts) tells a passing hiccup from a lasting one.
    const int to = e.kind == ErrorKind::deadline       ? t.deadline_state
                   : no_verdict                        ? kNagiosUnknown
                   : e.category == Category::temporary ? kNagiosWarning
                                                       : kNagiosCritical;
    if (to > status) status = to;
    problems.push_back(std::move(why));
  }
  check_range("took", report.total_ms / 1000.0, t.warning, t.critical, raise);
  if (result.delivery_ms)
    check_range("delivered in", *result.delivery_ms / 1000.0, t.delivery_warning,
                t.delivery_critical, raise);
  const std::optional<long> cert_days = min_cert_days(report);
  // Below --cert-warning the run itself warns (one of report.warnings, below); critical is ours.
  if (cert_days && t.cert_critical_days && *cert_days < *t.cert_critical_days)
    raise(kNagiosCritical, "a certificate expires in " + std::to_string(*cert_days) +
                               " days (critical below " + std::to_string(*t.cert_critical_days) +
                               ")");
  for (const std::string& w : report.warnings)
    raise(kNagiosWarning, w);

  std::string text = config.email + ": ";
  if (problems.empty()) {
    text += verdict_text(config, result) + " in " + plugin_number(report.total_ms, 0) + " ms";
  } else {
    for (std::size_t i = 0; i < problems.size(); ++i)
      text += (i ? "; " : "") + problems[i];
  }

  Perfdata perf;
  for (const auto& [name, ms] : step_totals(report))
    perf.seconds(name, ms);
  if (config.send)
    if (auto ms = phase_ms(report, "smtp.")) perf.seconds("smtp", *ms);
  if (config.read_back) {
    const char* proto = config.receive == Receive::imap ? "imap" : "pop3";
    if (auto ms = phase_ms(report, std::string(proto) + ".")) perf.seconds(proto, *ms);
  }
  if (result.delivery_ms)
    perf.seconds("delivery", *result.delivery_ms, t.delivery_warning, t.delivery_critical);
  perf.seconds("total", report.total_ms, t.warning, t.critical);
  if (cert_days)  // "N:" is the plugin range "alert below N"
    perf.add("cert_days", std::to_string(*cert_days),
             std::to_string(t.cert_warning_days) + ":;" +
                 (t.cert_critical_days ? std::to_string(*t.cert_critical_days) + ":" : ""));

  std::string out = std::string("MAILVERIFY ") + status_word(status) + " - " + plugin_text(text) +
                    " | " + perf.text();
  if (long_output) {  // -v: one line per step, then the diagnosis
    for (const StepRecord& s : report.steps)
      out += "\n" + plugin_text(std::string(s.ok ? "ok   " : "FAIL ") + s.name + " " +
                                plugin_number(s.ms, 1) + " ms " + s.detail);
    const Error& e = report.error;
    if (!e.server_says.empty()) out += "\n" + plugin_text("server said: " + e.server_says);
    if (!e.fix.empty()) out += "\n" + plugin_text("fix: " + e.fix);
  }
  return {status, out};
}

NagiosVerdict render_nagios_accounts(const std::vector<NagiosAccount>& accounts, double total_ms,
                                     bool long_output) {
  int worst = kNagiosOk;
  bool critical = false;
  std::size_t failed = 0;
  std::string failures, warnings, lines;
  for (const NagiosAccount& a : accounts) {
    const NagiosVerdict v = render_nagios(a.config, a.result, a.thresholds);
    critical = critical || v.exit_code == kNagiosCritical;
    worst = std::max(worst, v.exit_code);
    const Error& e = a.result.report.error;
    if (e) {
      ++failed;
      failures +=
          (failures.empty() ? "" : ", ") + a.label + " (" + step_where(e) + ": " + e.code + ")";
    } else if (v.exit_code != kNagiosOk) {
      warnings += (warnings.empty() ? "" : ", ") + a.label;
    }
    if (long_output)  // the account's own first line, without its perfdata
      lines += "\n" + plugin_text(a.label + ": " + v.line.substr(0, v.line.find(" | ")));
  }
  const int status = critical ? kNagiosCritical : worst;
  const std::string n = std::to_string(accounts.size());
  std::string text;
  if (failed) text = std::to_string(failed) + " of " + n + " accounts failed: " + failures;
  if (!warnings.empty()) text += (text.empty() ? "" : "; ") + std::string("warnings: ") + warnings;
  if (text.empty()) text = "all " + n + " accounts passed";
  text += " in " + plugin_number(total_ms, 0) + " ms";
  Perfdata summary;
  summary.add("accounts_ok", std::to_string(accounts.size() - failed), ";;0;" + n);
  summary.add("accounts_failed", std::to_string(failed), ";;0;" + n);
  summary.seconds("total", total_ms);
  std::string out = std::string("MAILVERIFY ") + status_word(status) + " - " + plugin_text(text) +
                    " | " + summary.text() + lines;
  // Per-account perfdata after the long output, one account a line (the plugin API's
  // "LONG TEXT | PERFDATA LINE 2\nPERFDATA LINE 3"), so the first line stays short.
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    Perfdata perf;
    account_perfdata(perf, accounts[i]);
    out += (i == 0 ? "\n| " : "\n") + perf.text();
  }
  return {status, out};
}

NagiosVerdict nagios_usage_error(const std::string& message) {
  return {kNagiosUnknown, "MAILVERIFY UNKNOWN - usage: " + plugin_text(message)};
}

}  // namespace mv::tool
