// SPDX-License-Identifier: Apache-2.0
// The command line of verify-roundtrip, parsed into what to run (a RunConfig), how to show it
// (output format, thresholds, colour) and who logs in where with which secret source — without
// reading any secret yet, so every rule is unit-testable without spawning the tool. Explicit
// options always win over a provider preset, and the preset over built-in defaults.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/discovery_urls.hpp"
#include "engine/dns_resolver.hpp"
#include "engine/run.hpp"
#include "tools/credentials.hpp"
#include "tools/nagios_output.hpp"
#include "tools/oauth2_options.hpp"
#include "tools/presets.hpp"
#include "tools/resolve_pins.hpp"

namespace mv::tool {

enum class OutputFormat { human, json, nagios };
enum class ColorChoice { automatic, always, never };  // --color (--no-color: never)

// One login identity before its secret is read: the user (empty: the account's address, or the
// login of a ~/.netrc entry) and where the secret comes from (nothing named: ~/.netrc, then the
// prompt).
struct IdentityPlan {
  std::string user;
  SecretSources sources;
  bool is_token = false;
  bool shares_secret = false;  // SMTP's own user with the shared secret (read once for both)
};

// Settings discovery as the command line asks for it (tools/settings_discovery.hpp).
struct DiscoveryRequest {
  bool requested = false;           // --discover or --discover-only
  bool only = false;                // --discover-only: print the candidates, run nothing
  bool needed = false;              // a server the run needs has no host (no option, no preset)
  std::vector<NameServer> servers;  // --dns-server, in order; empty: /etc/resolv.conf
  struct Given {                    // which of an endpoint's fields an option set
    bool host = false, port = false, tls = false;
  };
  Given smtp, incoming;
  std::vector<ResolvePin> pins;       // --resolve, for discovered hosts too
  std::vector<ConnectTo> connect_to;  // --connect-to, likewise
  std::string ispdb_path;             // --ispdb: a local ISPDB directory or file; empty: none
  std::string ispdb_url{kIspdbBase};  // --ispdb-url: the central ISPDB's base
  bool autodiscover = true;           // false: --no-autodiscover
};

struct ToolOptions {
  RunConfig config;  // credentials not filled in yet: see resolve_identities()
  OutputFormat format = OutputFormat::human;
  NagiosThresholds thresholds;
  ColorChoice color = ColorChoice::automatic;
  unsigned verbose = 0;            // -v, counted
  std::optional<Millis> deadline;  // -t/--deadline: the whole run's (tools/deadline.hpp)
  std::string prometheus_file;     // --prometheus FILE
  std::string name;                // --name: the label of this account's results (default: email)
  const ProviderPreset* preset = nullptr;     // the preset used, if any
  std::vector<std::string> warnings;          // to show before the run (legacy host names, ...)
  bool smtp_login = true;                     // false: --no-auth (SMTP submits without AUTH)
  IdentityPlan login;                         // --user and the shared secret options
  std::optional<IdentityPlan> smtp_identity;  // --smtp-user/--smtp-password-*: SMTP's own
  std::optional<Mechanism> mechanism;         // --auth
  OAuth2Options oauth2;                       // --oauth2-login and its options
  bool delivery_timeout_given = false;        // --delivery-timeout was on the command line
  DiscoveryRequest discovery;
  // --peer-email: the other account (tools/peer_account.hpp), its options parsed like these.
  std::shared_ptr<ToolOptions> peer;
};

enum class Action { run, run_accounts, help, version, list_providers, usage_error };

// --accounts FILE: the accounts to check, and the rest of the command line as their defaults.
struct AccountsRequest {
  std::string file;
  std::size_t concurrency = 8;        // --concurrency: runs in flight at once
  std::vector<std::string> defaults;  // args[0] and every option but --accounts/--concurrency
};

struct CommandLine {
  Action action = Action::usage_error;
  ToolOptions options;  // with run_accounts: the output format and the run-wide options only
  AccountsRequest accounts;
  std::string text;  // the help text, or the usage error
};

// args[0] is the program name. Never throws. With --accounts, only the options that concern the
// whole run are checked here; each account's options are parsed once merged (tools/accounts.hpp).
CommandLine parse_command_line(const std::vector<std::string>& args);

// An option as the command line knows it: its long name ("ipv4" for -4) and whether it takes a
// value. nullopt: no such option.
struct OptionShape {
  std::string name;
  bool takes_value = false;
};
std::optional<OptionShape> option_shape(const std::string& name);

// One option of the table behind --help, in its order: the group --help shows it in, its long
// name ("ipv4") and short one ("4", or empty), the name of its value ("HOST"; empty: a flag), its
// help line and its default (empty: none). The man page test and the shell completions
// (tools/completions.hpp) read it.
struct OptionDoc {
  std::string group;
  std::string name;
  std::string short_name;
  std::string value_name;
  std::string help;
  std::string default_value;
};
std::vector<OptionDoc> option_table();

}  // namespace mv::tool
