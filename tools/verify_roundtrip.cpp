// SPDX-License-Identifier: Apache-2.0
// verify-roundtrip: the command line. Parses options, reads the secrets, runs the engine and
// renders the report in the chosen format (text, --json or --nagios); with --accounts, every
// account at once in one loop, one line each. Thin by design: every rule lives in the module
// named after it.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "engine/clock.hpp"
#include "engine/run.hpp"
#include "tools/accounts.hpp"
#include "tools/exit_codes.hpp"
#include "tools/human_output.hpp"
#include "tools/identities.hpp"
#include "tools/json_output.hpp"
#include "tools/nagios_output.hpp"
#include "tools/options.hpp"
#include "tools/provider_list.hpp"
#include "tools/stop_signals.hpp"
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

// --accounts: one result per account in the file's order, each printed as soon as it and those
// before it are done (a slow account holds back only the lines after it); exit 0 when every
// account passed, else the highest exit code. --nagios: one summary line at the end, its status.
int run_accounts(const CommandLine& cl) {
  const OutputFormat format = cl.options.format;
  std::vector<Account> accounts;
  if (std::string err = prepare_accounts(cl.accounts, accounts); !err.empty())
    return usage_error(format, err);
  std::vector<RunConfig> configs;
  for (const Account& a : accounts) {
    for (const std::string& w : a.warnings)
      std::cerr << "warning: " << a.options.config.email << ": " << w << "\n";
    configs.push_back(a.options.config);
  }
  if (format == OutputFormat::nagios) {
    const std::int64_t start = monotonic_us();
    const std::vector<RunResult> results = run_many(configs, cl.accounts.concurrency);
    const double total_ms = static_cast<double>(monotonic_us() - start) / 1000.0;
    std::vector<NagiosAccount> each;
    for (std::size_t i = 0; i < accounts.size(); ++i)
      each.push_back({configs[i], results[i], accounts[i].options.thresholds});
    NagiosVerdict v = render_nagios_accounts(each, total_ms);
    std::cout << v.line << "\n";
    return v.exit_code;
  }
  int worst = kExitOk;
  std::vector<const RunResult*> ended(accounts.size(), nullptr);
  std::size_t printed = 0;
  auto print_ready = [&](std::size_t index, const RunResult& result) {
    ended[index] = &result;
    for (; printed < ended.size() && ended[printed] != nullptr; ++printed) {
      const std::size_t i = printed;
      const int exit_code = exit_code_for(ended[i]->report.error);
      worst = std::max(worst, exit_code);
      if (format == OutputFormat::json) {
        std::cout << render_json({configs[i], *ended[i], accounts[i].options.preset,
                                  accounts[i].warnings, exit_code})
                  << "\n";
      } else {
        std::cout << account_line(configs[i], ended[i]->report) << "\n";
      }
    }
    std::cout.flush();  // a monitor reading the pipe sees each line as it is ready
  };
  run_many(configs, cl.accounts.concurrency, print_ready);
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
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
      catch_stop_signals();
      return run_accounts(cl);
    case Action::run:
      break;
  }
  std::vector<std::string> warnings = o.warnings;
  if (std::string err = resolve_identities(o, warnings); !err.empty())
    return usage_error(o.format, err);
  for (const std::string& w : warnings)
    std::cerr << "warning: " << w << "\n";

  if (o.format == OutputFormat::human) {
    print_settings_line(std::cout, o.config, o.preset);
    std::cout.flush();
  }
  // A live progress line while waiting for delivery, on a terminal only, erased afterwards.
  const bool progress = o.format == OutputFormat::human && ::isatty(STDERR_FILENO);
  if (progress) {
    o.config.on_progress = [](const std::string& text) {
      std::cerr << "\r\033[K  … " << text << std::flush;
    };
  }
  catch_stop_signals();
  RunResult result = run(o.config);
  if (progress) std::cerr << "\r\033[K" << std::flush;
  const int exit_code = exit_code_for(result.report.error);
  switch (o.format) {
    case OutputFormat::json:
      std::cout << render_json({o.config, result, o.preset, warnings, exit_code}) << "\n";
      return exit_code;
    case OutputFormat::nagios: {
      NagiosVerdict v = render_nagios(o.config, result, o.thresholds);
      std::cout << v.line << "\n";
      return v.exit_code;
    }
    case OutputFormat::human:
      break;
  }
  print_human(std::cout, result.report, verdict_text(o.config, result),
              !o.no_color && ::isatty(STDOUT_FILENO));
  if (o.preset && result.report.error.category == Category::auth)
    std::cout << "  note (" << o.preset->name << "): " << o.preset->note << "\n";
  return exit_code;
}
