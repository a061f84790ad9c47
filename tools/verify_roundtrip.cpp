// SPDX-License-Identifier: Apache-2.0
// verify-roundtrip: the command line. Parses options, reads the secrets, runs the engine and
// renders the report in the chosen format (text, --json or --nagios); with --accounts, every
// account at once in one loop, one line each. Thin by design: every rule lives in the module
// named after it.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>

#include "engine/clock.hpp"
#include "engine/oauth2_diagnosis.hpp"
#include "engine/run.hpp"
#include "protocols/common/wipe.hpp"
#include "tools/accounts.hpp"
#include "tools/deadline.hpp"
#include "tools/descriptor_limit.hpp"
#include "tools/discovery_output.hpp"
#include "tools/exit_codes.hpp"
#include "tools/human_output.hpp"
#include "tools/identities.hpp"
#include "tools/json_output.hpp"
#include "tools/nagios_output.hpp"
#include "tools/no_core_dumps.hpp"
#include "tools/oauth2_signin.hpp"
#include "tools/options.hpp"
#include "tools/peer_account.hpp"
#include "tools/plugin_range.hpp"
#include "tools/prometheus_output.hpp"
#include "tools/provider_list.hpp"
#include "tools/settings_discovery.hpp"
#include "tools/stop_signals.hpp"
#include "tools/terminal.hpp"
#include "tools/verdict.hpp"
#include "tools/version.hpp"

namespace {

using namespace mv;
using namespace mv::tool;

int usage_error(OutputFormat format, const std::string& message) {
  std::cerr << "verify-roundtrip: " << message << "\n(see --help)\n";
  if (format == OutputFormat::json) {
    std::cout << render_json_usage_error(message, kExitUsage) << "\n";
  } else if (format == OutputFormat::nagios) {
    std::cout << nagios_usage_error(message).line << "\n";
    return kNagiosUnknown;
  }
  return kExitUsage;
}

// -t: arms the deadline with what to print if cleaning up outlives it (tools/deadline.hpp).
void arm_run_deadline(const ToolOptions& o) {
  if (!o.deadline) return;
  const std::string limit = plugin_number(static_cast<double>(*o.deadline) / 1000.0, 3) + " s";
  Error e = make_error(ErrorKind::deadline, Protocol::none,
                       "the deadline of " + limit +
                           " passed while the run was still cleaning up: the test message may "
                           "be left in the mailbox");
  e.fix = "give the servers more time (-t), or look at the server that stopped answering";
  std::string words;
  int exit_code = kExitNetwork;
  switch (o.format) {
    case OutputFormat::json:
      words = render_json_without_run(e, exit_code);
      break;
    case OutputFormat::nagios:
      exit_code = o.thresholds.deadline_state;
      words = std::string("MAILVERIFY ") +
              (exit_code == kNagiosOk         ? "OK"
               : exit_code == kNagiosWarning  ? "WARNING"
               : exit_code == kNagiosCritical ? "CRITICAL"
                                              : "UNKNOWN") +
              " - " + e.detail + " [run.deadline]";
      break;
    case OutputFormat::human:
      words = "FAIL: " + e.detail + " [run.deadline]";
      break;
  }
  if (!arm_deadline(*o.deadline, words + "\n", exit_code))
    std::cerr << "warning: -t: cannot set a timer; the run has no overall deadline\n";
}

// --prometheus: the file for node exporter's textfile collector. A failure to write it is told on
// stderr and turns a passing exit code into a usage error (UNKNOWN with --nagios): the metrics
// a monitor relies on are missing.
int write_prometheus(const std::string& file, const std::vector<PrometheusAccount>& accounts,
                     OutputFormat format, int exit_code) {
  if (file.empty()) return exit_code;
  const std::string err = write_file_atomically(file, render_prometheus(accounts));
  if (err.empty()) return exit_code;
  std::cerr << "verify-roundtrip: " << err << "\n";
  if (format == OutputFormat::nagios) return exit_code == kNagiosOk ? kNagiosUnknown : exit_code;
  return exit_code == kExitOk ? kExitUsage : exit_code;
}

// What a printed account's result keeps for the --nagios and --prometheus summaries: the steps'
// names and times, the certificate dates, the warnings and the error; the words of each step, the
// certificates' names and the message's identifiers go.
void keep_for_summary(RunResult& r) {
  for (StepRecord& s : r.report.steps)
    std::string().swap(s.detail);
  for (TlsFact& t : r.report.tls)
    t.version = t.cipher = t.subject = t.issuer = std::string();
  r.report.peers = {};
  r.message_id = r.body_digest = r.queue_id = r.token = std::string();
}

// A finished account's secrets are not needed for its summary: not kept in memory either.
void forget_secrets(RunConfig& c) {
  for (ServerLogin* login : {&c.smtp, &c.incoming})
    if (login->credentials)
      std::fill(login->credentials->secret.begin(), login->credentials->secret.end(), '\0');
  c.smtp.credentials.reset();
  c.incoming.credentials.reset();
}

std::string label_of(const ToolOptions& o) {
  return o.name.empty() ? o.config.email : o.name;
}

// --accounts: one result per account in the file's order, each printed as soon as it and those
// before it are done (a slow account holds back only the lines after it); exit 0 when every
// account passed, else the highest exit code. An account whose OAuth2 sign-in failed is that
// account's result and opens no session; the others still run. --nagios: one summary line at the
// end, its status, then the per-account perfdata.
int run_accounts(const CommandLine& cl) {
  const OutputFormat format = cl.options.format;
  std::vector<Account> accounts;
  if (std::string err = prepare_accounts(cl.accounts, accounts); !err.empty())
    return usage_error(format, err);
  std::vector<std::string> labels;
  for (Account& a : accounts) {
    if (wants_discovery(a.options))
      return usage_error(format, label_of(a.options) +
                                     ": settings discovery (--discover, --dns-server, or no "
                                     "--host) is not available with --accounts yet: give --host");
    labels.push_back(label_of(a.options));
    for (const std::string& w : a.warnings)
      std::cerr << "warning: " << labels.back() << ": " << w << "\n";
  }
  // The accounts that run (their configurations moved out: one copy of each, not two) and, for
  // each account, where its configuration and its result are: in `configs` and run_many's results
  // at the same index, or among the failed sign-ins.
  std::vector<RunConfig> configs, refused_configs;
  std::vector<RunResult> refused;
  std::vector<bool> signin_failed(accounts.size());
  std::vector<std::size_t> slot(accounts.size());
  std::vector<std::size_t> account_of_run;
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    Account& a = accounts[i];
    signin_failed[i] = static_cast<bool>(a.failed_signin.error);
    if (signin_failed[i]) {
      slot[i] = refused.size();
      refused_configs.push_back(std::move(a.options.config));
      refused.emplace_back().report = std::move(a.failed_signin);
    } else {
      slot[i] = configs.size();
      account_of_run.push_back(i);
      configs.push_back(std::move(a.options.config));
    }
  }
  auto config_of = [&](std::size_t i) -> RunConfig& {
    return signin_failed[i] ? refused_configs[slot[i]] : configs[slot[i]];
  };
  if (std::string err = ensure_descriptors(std::min(cl.accounts.concurrency, configs.size()));
      !err.empty())
    return usage_error(format, err);
  const std::int64_t start = monotonic_us();
  int worst = kExitOk;
  std::vector<RunResult*> ended(accounts.size(), nullptr);
  for (std::size_t i = 0; i < accounts.size(); ++i)
    if (signin_failed[i]) ended[i] = &refused[slot[i]];
  std::size_t printed = 0;
  auto print_ready = [&] {
    for (; printed < ended.size() && ended[printed] != nullptr; ++printed) {
      const std::size_t i = printed;
      const int exit_code = exit_code_for(ended[i]->report.error);
      worst = std::max(worst, exit_code);
      if (format == OutputFormat::json) {
        std::cout << render_json({config_of(i), *ended[i], accounts[i].options.preset,
                                  accounts[i].warnings, exit_code, accounts[i].options.name})
                  << "\n";
      } else if (format == OutputFormat::human) {
        std::cout << account_line(labels[i], ended[i]->report) << "\n";
      }
      // Printed: keep only what the summaries (--nagios, --prometheus) read, so memory grows
      // with the accounts in flight, not with every account of the file.
      keep_for_summary(*ended[i]);
      forget_secrets(config_of(i));
    }
    std::cout.flush();  // a monitor reading the pipe sees each line as it is ready
  };
  print_ready();  // failed sign-ins at the head of the file are known before anything runs
  const std::vector<RunResult> results =
      run_many(configs, cl.accounts.concurrency, [&](std::size_t run, RunResult& result) {
        ended[account_of_run[run]] = &result;
        print_ready();
      });
  const double total_ms = static_cast<double>(monotonic_us() - start) / 1000.0;
  auto result_of = [&](std::size_t i) -> const RunResult& {
    return signin_failed[i] ? refused[slot[i]] : results[slot[i]];
  };
  std::vector<PrometheusAccount> metrics;
  for (std::size_t i = 0; i < accounts.size(); ++i)
    metrics.push_back({config_of(i), result_of(i), labels[i]});
  if (format == OutputFormat::nagios) {
    std::vector<NagiosAccount> each;
    for (std::size_t i = 0; i < accounts.size(); ++i)
      each.push_back({config_of(i), result_of(i), accounts[i].options.thresholds, labels[i]});
    NagiosVerdict v = render_nagios_accounts(each, total_ms, cl.options.verbose > 0);
    std::cout << v.line << "\n";
    worst = v.exit_code;
  }
  return write_prometheus(cl.options.prometheus_file, metrics, format, worst);
}

// The result in the chosen format, and the exit code.
int print_result(const ToolOptions& o, const RunResult& result,
                 const std::vector<std::string>& warnings, const TerminalStyle& style,
                 const std::string& discovery) {
  int exit_code = exit_code_for(result.report.error);
  switch (o.format) {
    case OutputFormat::json:
      std::cout << render_json({o.config, result, o.preset, warnings, exit_code, o.name}, discovery)
                << "\n";
      break;
    case OutputFormat::nagios: {
      NagiosVerdict v = render_nagios(o.config, result, o.thresholds, o.verbose > 0);
      std::cout << v.line << "\n";
      exit_code = v.exit_code;
      break;
    }
    case OutputFormat::human:
      if (o.discovery.only && !result.report.error) {
        std::cout << "discovery: every server the run needs was found\n";
        break;
      }
      print_human(std::cout, result.report, verdict_text(o.config, result), style);
      if (o.preset && result.report.error.category == Category::auth)
        std::cout << "  note (" << o.preset->name << "): " << o.preset->note << "\n";
      break;
  }
  std::cout.flush();
  return write_prometheus(o.prometheus_file, {{o.config, result, label_of(o)}}, o.format,
                          exit_code);
}

}  // namespace

int main(int argc, char** argv) {
  forbid_core_dumps();  // before any secret is read; a kernel that refuses leaves the run as it was
  CommandLine cl = parse_command_line(std::vector<std::string>(argv, argv + argc));
  ToolOptions& o = cl.options;
  switch (cl.action) {
    case Action::help:
      std::cout << cl.text;
      return kExitOk;
    case Action::version:
      std::cout << version_line() << "\n";
      return kExitOk;
    case Action::list_providers:
      print_provider_table(std::cout);
      return kExitOk;
    case Action::usage_error:
      return usage_error(o.format, cl.text);
    case Action::run_accounts:
      arm_run_deadline(o);
      catch_stop_signals();
      return run_accounts(cl);
    case Action::run:
      break;
  }
  arm_run_deadline(o);  // from here: a password command counts against it too
  std::vector<std::string> warnings = o.warnings;
  if (o.oauth2.logout) {
    bool ok = false;
    const std::string text = oauth2_logout(o, ok);
    if (!ok) return usage_error(o.format, text);
    std::cerr << text << "\n";
    return kExitOk;
  }
  // Settings discovery first: nothing secret is read for a run that cannot start.
  DiscoveryReport discovery;
  if (wants_discovery(o)) {
    discovery = discover_settings(o);
    if (o.format == OutputFormat::human) {
      print_discovery(std::cout, discovery);
      std::cout.flush();
    }
    if (discovery.error || o.discovery.only) {
      RunResult result;
      result.report.error = discovery.error;
      return print_result(o, result, warnings, detect_terminal_style(o.color),
                          discovery_json(discovery));
    }
  }
  // A stored OAuth2 grant (or --oauth2-login) provides the token; else the secret options do.
  OAuth2SignIn signin = oauth2_sign_in(o);
  warnings.insert(warnings.end(), signin.report.warnings.begin(), signin.report.warnings.end());
  if (signin.active && !signin.report.error) {
    apply_oauth2_token(o, signin.access_token);
  } else if (!signin.active) {
    if (std::string err = resolve_identities(o, warnings); !err.empty())
      return usage_error(o.format, err);
  }
  if (o.peer) {
    for (const std::string& w : o.peer->warnings)
      warnings.push_back("peer: " + w);
    if (std::string err = resolve_identities(*o.peer, warnings); !err.empty())
      return usage_error(o.format, "the peer account: " + err);
    // A person watching waits as the guides say ("a minute or two"); monitors keep the default.
    if (!o.delivery_timeout_given && o.format == OutputFormat::human && ::isatty(STDOUT_FILENO))
      o.config.delivery_timeout = 120'000;
  }
  for (const std::string& w : warnings)
    std::cerr << "warning: " << w << "\n";

  const TerminalStyle style = detect_terminal_style(o.color);
  if (o.format == OutputFormat::human) {
    print_settings_line(std::cout, o.config, o.preset);
    std::cout.flush();
  }
  // A live progress line while waiting for delivery, on a terminal only, erased afterwards.
  const bool progress = o.format == OutputFormat::human && style.progress;
  if (progress) {
    o.config.on_progress = [&style](const std::string& text) {
      std::cerr << "\r\033[K  " << style.ellipsis() << " " << text << std::flush;
    };
  }
  catch_stop_signals();
  RunResult result;
  if (signin.report.error) {
    result.report = signin.report;  // the sign-in failed: no mail session is opened
  } else {
    if (o.peer) {
      auto [from_peer, reply] = peer_legs(o, *o.peer);
      result = run_two_way(from_peer, std::move(reply));
    } else {
      result = run(o.config);
    }
    if (signin.active) {
      result.report.steps.insert(result.report.steps.begin(), signin.report.steps.begin(),
                                 signin.report.steps.end());
      Error& e = result.report.error;
      if (e.category == Category::auth)
        explain_refused_token(e, signin.access_token, o.config.email,
                              e.step.substr(0, e.step.find('.')),
                              static_cast<std::int64_t>(std::time(nullptr)));
    }
  }
  for (ServerLogin* login : {&o.config.smtp, &o.config.incoming})
    if (login->credentials) wipe(login->credentials->secret);
  if (progress) std::cerr << "\r\033[K" << std::flush;
  return print_result(o, result, warnings, style, discovery_json(discovery));
}
