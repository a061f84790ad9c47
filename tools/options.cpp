// SPDX-License-Identifier: Apache-2.0
#include "tools/options.hpp"

#include <algorithm>
#include <cctype>
// cxxopts' hand-written matchers instead of std::regex: its regex mode compiles six patterns in
// static initialisers before main and links the regex engine; without it the binary's text is
// 110 KiB smaller and peak RSS 70-150 KiB lower (medians of 15, GNU time %M). Our options are all
// long (--name, --name=value) with plain names, which both modes accept alike; only an explicit
// boolean spelled "t"/"f" (--keep=t) is no longer taken: true/false/1/0 still are.
#define CXXOPTS_NO_REGEX
#include <cxxopts.hpp>

#include "tools/exit_codes.hpp"

namespace mv::tool {

namespace {

struct UsageError {
  std::string message;
};

// The ports RFC 8314 and the protocols' own RFCs assign, by protocol and TLS mode.
unsigned default_port(const std::string& protocol, TlsMode mode) {
  const bool implicit = mode == TlsMode::implicit;
  if (protocol == "smtp") return implicit ? 465 : mode == TlsMode::starttls ? 587 : 25;
  if (protocol == "imap") return implicit ? 993 : 143;
  return implicit ? 995 : 110;
}

bool has_control_chars(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::string opt(const cxxopts::ParseResult& args, const std::string& key) {
  return args.count(key) ? args[key].as<std::string>() : std::string{};
}

// The preset's server for this protocol, and for SMTP its alternative (another port and mode).
ServerPreset preset_server(const ProviderPreset* p, const std::string& protocol,
                           std::optional<TlsMode> wanted) {
  if (!p) return {};
  ServerPreset main = protocol == "smtp" ? p->smtp : protocol == "imap" ? p->imap : p->pop3;
  if (protocol == "smtp" && wanted && main.tls != *wanted && p->smtp_alternative.present() &&
      p->smtp_alternative.tls == *wanted)
    return p->smtp_alternative;
  return main;
}

// --<protocol>-host/-port/-tls over --host over the preset over the defaults.
void read_endpoint(const cxxopts::ParseResult& args, const std::string& protocol,
                   const ProviderPreset* preset, Endpoint& endpoint,
                   std::vector<std::string>& warnings) {
  std::optional<TlsMode> explicit_mode;
  if (args.count(protocol + "-tls")) {
    explicit_mode = tls_mode_from_name(args[protocol + "-tls"].as<std::string>());
    if (!explicit_mode)
      throw UsageError{"--" + protocol + "-tls must be starttls, implicit or none"};
  }
  const ServerPreset from_preset = preset_server(preset, protocol, explicit_mode);
  const std::string host_key = protocol + "-host";
  if (args.count(host_key)) {
    endpoint.host = args[host_key].as<std::string>();
  } else if (args.count("host")) {
    endpoint.host = args["host"].as<std::string>();
  } else if (from_preset.present()) {
    endpoint.host = std::string(from_preset.host);
  } else if (preset) {
    throw UsageError{std::string(preset->display) + " offers no " + protocol + "; give --" +
                     host_key};
  } else {
    throw UsageError{"--" + host_key + " (or --host, or --email at a known provider) is required"};
  }
  for (unsigned char c : endpoint.host)
    if (c <= 0x20 || c == 0x7f) throw UsageError{"control characters or spaces in --" + host_key};
  if (endpoint.host.empty()) throw UsageError{"empty --" + host_key};

  const TlsMode default_mode = protocol == "smtp" ? TlsMode::starttls : TlsMode::implicit;
  endpoint.tls = explicit_mode           ? *explicit_mode
                 : from_preset.present() ? from_preset.tls
                                         : default_mode;
  const std::string port_key = protocol + "-port";
  if (args.count(port_key)) {
    endpoint.port = args[port_key].as<unsigned>();
  } else if (from_preset.present() && from_preset.tls == endpoint.tls) {
    endpoint.port = from_preset.port;
  } else {
    endpoint.port = default_port(protocol, endpoint.tls);
  }
  if (endpoint.port == 0 || endpoint.port > 65535) throw UsageError{"bad --" + port_key};
  endpoint.family = args.count("4") ? Family::ipv4 : args.count("6") ? Family::ipv6 : Family::any;
  if (auto current = current_name_of_legacy_host(endpoint.host))
    warnings.push_back(endpoint.host + " is a retired server name; the current one is " +
                       std::string(*current) + " (--" + host_key + " " + std::string(*current) +
                       ")");
}

// The secret options with this prefix ("" or "smtp-"); at most one source may be named.
void read_secret_sources(const cxxopts::ParseResult& args, const std::string& prefix,
                         IdentityPlan& plan) {
  int named = 0;
  auto take = [&](const std::string& name, std::string& into, bool token) {
    if (!args.count(prefix + name)) return;
    ++named;
    into = args[prefix + name].as<std::string>();
    plan.sources.option = "--" + prefix + name;
    if (into.empty()) throw UsageError{"empty " + plan.sources.option};
    plan.is_token = token;
  };
  take("password-env", plan.sources.env_var, false);
  take("password-file", plan.sources.file, false);
  take("password-cmd", plan.sources.command, false);
  take("oauth2-token-env", plan.sources.env_var, true);
  take("oauth2-token-cmd", plan.sources.command, true);
  if (prefix.empty() && args.count("password")) {
    ++named;
    plan.sources.literal = args["password"].as<std::string>();
    plan.sources.option = "--password";
  }
  if (named > 1)
    throw UsageError{"give only one of the --" + prefix + "password-* / --" + prefix +
                     "oauth2-token-* options"};
}

// The options in the groups --help shows and docs/verify-roundtrip.1 follows (a unit test keeps
// the two in step), each value with its name (HOST, PORT, SECONDS, FILE, CMD, ...).
cxxopts::Options make_options() {
  cxxopts::Options opts("verify-roundtrip",
                        "Proves end to end that a mail account's settings work: logs in over "
                        "SMTP, sends a uniquely tagged message to the account itself and reads it "
                        "back over IMAP or POP3.\n");
  opts.custom_help("--email ADDRESS [OPTION...]");
  // clang-format off
  opts.add_options("Account")
    ("email", "the account's address (sender and recipient of the test message)", cxxopts::value<std::string>(), "ADDRESS")
    ("provider", "use this provider's published settings (see --list-providers; default: from the --email domain; none: no preset)", cxxopts::value<std::string>(), "NAME")
    ("list-providers", "show the provider presets and exit");
  opts.add_options("Server")
    ("host", "default server for every protocol", cxxopts::value<std::string>(), "HOST")
    ("smtp-host", "SMTP server (default: --host, or the preset)", cxxopts::value<std::string>(), "HOST")
    ("smtp-port", "SMTP port (default: the preset, or 587 starttls, 465 implicit, 25 none)", cxxopts::value<unsigned>(), "PORT")
    ("smtp-tls", "SMTP TLS mode: starttls (default), implicit or none", cxxopts::value<std::string>(), "MODE")
    ("receive", "read back over imap or pop3", cxxopts::value<std::string>()->default_value("imap"), "PROTOCOL")
    ("imap-host", "IMAP server (default: --host, or the preset)", cxxopts::value<std::string>(), "HOST")
    ("imap-port", "IMAP port (default: the preset, or 993 implicit, 143 starttls)", cxxopts::value<unsigned>(), "PORT")
    ("imap-tls", "IMAP TLS mode: implicit (default), starttls or none", cxxopts::value<std::string>(), "MODE")
    ("pop3-host", "POP3 server (default: --host, or the preset)", cxxopts::value<std::string>(), "HOST")
    ("pop3-port", "POP3 port (default: the preset, or 995 implicit, 110 starttls)", cxxopts::value<unsigned>(), "PORT")
    ("pop3-tls", "POP3 TLS mode: implicit (default), starttls or none", cxxopts::value<std::string>(), "MODE");
  opts.add_options("Sign-in")
    ("auth", "SASL mechanism: PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER (default: the strongest both sides have; XOAUTH2 with a token)", cxxopts::value<std::string>(), "MECHANISM")
    ("user", "user name to log in with (default: --email, or the ~/.netrc login)", cxxopts::value<std::string>(), "USER")
    ("password-env", "read the password from this environment variable", cxxopts::value<std::string>(), "VAR")
    ("password-file", "read the password from the first line of this file", cxxopts::value<std::string>(), "FILE")
    ("password-cmd", "run this shell command; the first line it prints is the password", cxxopts::value<std::string>(), "CMD")
    ("password", "the password itself (visible to other users: prefer the options above)", cxxopts::value<std::string>(), "PASSWORD")
    ("oauth2-token-env", "read an OAuth2 access token from this environment variable", cxxopts::value<std::string>(), "VAR")
    ("oauth2-token-cmd", "run this shell command; the first line it prints is an OAuth2 access token", cxxopts::value<std::string>(), "CMD")
    ("smtp-user", "SMTP only: user name (default: --user)", cxxopts::value<std::string>(), "USER")
    ("smtp-password-env", "SMTP only: password from this environment variable", cxxopts::value<std::string>(), "VAR")
    ("smtp-password-file", "SMTP only: password from this file", cxxopts::value<std::string>(), "FILE")
    ("smtp-password-cmd", "SMTP only: password from this shell command", cxxopts::value<std::string>(), "CMD")
    ("smtp-oauth2-token-env", "SMTP only: OAuth2 access token from this environment variable", cxxopts::value<std::string>(), "VAR")
    ("smtp-oauth2-token-cmd", "SMTP only: OAuth2 access token from this shell command", cxxopts::value<std::string>(), "CMD")
    ("no-auth", "submit without authenticating");
  opts.add_options("Connection and TLS")
    ("cafile", "trust only the CAs in this PEM file (default: the system store)", cxxopts::value<std::string>(), "FILE")
    ("insecure", "do not verify certificates (never needed with --cafile)")
    ("allow-plaintext", "allow credentials without TLS (only on a trusted network)")
    ("4,ipv4", "connect over IPv4 only")
    ("6,ipv6", "connect over IPv6 only")
    ("connect-timeout", "seconds per connection attempt", cxxopts::value<unsigned>()->default_value("10"), "SECONDS")
    ("timeout", "seconds to wait for any server reply", cxxopts::value<unsigned>()->default_value("30"), "SECONDS")
    ("ehlo", "name to send in EHLO", cxxopts::value<std::string>()->default_value("localhost"), "NAME");
  opts.add_options("Round trip")
    ("body-size", "approximate size of the test message body in bytes", cxxopts::value<std::size_t>()->default_value("512"), "BYTES")
    ("send-only", "only send the test message (no read-back)")
    ("receive-only", "only log in to the mailbox (with --find-token: find that message)")
    ("find-token", "with --receive-only: the token of a message sent earlier", cxxopts::value<std::string>(), "TOKEN")
    ("check", "checks after the read-back: devices, folders, devices,folders or none", cxxopts::value<std::string>()->default_value("devices,folders"), "CHECKS")
    ("keep", "leave the test message in the mailbox (default: remove only it)")
    ("delivery-timeout", "seconds to wait for the message to arrive", cxxopts::value<unsigned>()->default_value("30"), "SECONDS")
    ("stop-after", "dry run that sends no message: stop after connect, tls or auth", cxxopts::value<std::string>(), "STEP");
  opts.add_options("Output")
    ("trace", "write the wire transcript (secrets redacted) to this file", cxxopts::value<std::string>(), "FILE")
    ("json", "print one JSON document (schema_version 1) instead of text")
    ("nagios", "print one monitoring-plugin line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
    ("warning", "with --nagios: WARNING when the run takes longer than this many seconds", cxxopts::value<double>(), "SECONDS")
    ("critical", "with --nagios: CRITICAL when the run takes longer than this many seconds", cxxopts::value<double>(), "SECONDS")
    ("cert-warning", "warn when a certificate expires in fewer days (default 14; --nagios: WARNING)", cxxopts::value<long>(), "DAYS")
    ("cert-critical", "with --nagios: CRITICAL when a certificate expires in fewer days", cxxopts::value<long>(), "DAYS")
    ("no-color", "no colour even on a terminal");
  opts.add_options("Several accounts")
    ("accounts", "check every account of this file at once: one line of options per account, over the options given here (# comments)", cxxopts::value<std::string>(), "FILE")
    ("concurrency", "with --accounts: how many accounts are checked at the same time", cxxopts::value<unsigned>()->default_value("8"), "N");
  opts.add_options("Help")
    ("h,help", "show this help")
    ("version", "show the version (and the TLS library's) and exit");
  // clang-format on
  return opts;
}

// The groups in the order --help and the man page show them (cxxopts sorts them by name); a
// group not listed here comes after these.
std::vector<std::string> groups_in_order(const cxxopts::Options& opts) {
  std::vector<std::string> order{"Account",    "Server", "Sign-in",          "Connection and TLS",
                                 "Round trip", "Output", "Several accounts", "Help"};
  std::erase_if(order, [&](const std::string& g) {
    const std::vector<std::string> present = opts.groups();
    return std::find(present.begin(), present.end(), g) == present.end();
  });
  for (const std::string& g : opts.groups())
    if (std::find(order.begin(), order.end(), g) == order.end()) order.push_back(g);
  return order;
}

// Shown after the options in --help.
constexpr const char* kHelpExamples = R"(Examples:
  verify-roundtrip --email me@example.org --password-env MAIL_PASSWORD
      full round trip with the provider's settings or the defaults (587 STARTTLS, IMAPS 993)
  verify-roundtrip --email me@example.org --host mail.example.org --receive pop3 --check none
      submit on mail.example.org, read back over POP3S, no extra checks
  verify-roundtrip --email me@outlook.com --oauth2-token-env ACCESS_TOKEN
      sign in with an OAuth2 access token (XOAUTH2)
  verify-roundtrip --email me@example.org --stop-after auth
      dry run: connect, TLS and log in on both servers; sends nothing
  verify-roundtrip --email me@example.org --nagios --warning 20 --critical 60
      one monitoring-plugin line, for Nagios or Icinga
)";

void parse_into(const cxxopts::ParseResult& args, ToolOptions& o) {
  if (!args.unmatched().empty()) throw UsageError{"unexpected argument " + args.unmatched()[0]};
  if (args.count("json") && args.count("nagios"))
    throw UsageError{"--json and --nagios exclude each other"};
  // --cert-warning also sets when any output warns of an expiring certificate.
  for (const char* key : {"warning", "critical", "cert-critical"})
    if (args.count(key) && o.format != OutputFormat::nagios)
      throw UsageError{std::string("--") + key + " goes with --nagios"};
  if (args.count("warning")) o.thresholds.warning_s = args["warning"].as<double>();
  if (args.count("critical")) o.thresholds.critical_s = args["critical"].as<double>();
  if (args.count("cert-warning")) o.thresholds.cert_warning_days = args["cert-warning"].as<long>();
  if (o.thresholds.cert_warning_days) o.config.cert_warning_days = *o.thresholds.cert_warning_days;
  if (args.count("cert-critical"))
    o.thresholds.cert_critical_days = args["cert-critical"].as<long>();
  for (const auto& t : {o.thresholds.warning_s, o.thresholds.critical_s})
    if (t && !(*t > 0)) throw UsageError{"--warning and --critical take seconds above 0"};
  for (const auto& t : {o.thresholds.cert_warning_days, o.thresholds.cert_critical_days})
    if (t && *t < 0) throw UsageError{"--cert-warning and --cert-critical take days, 0 or more"};
  o.no_color = args.count("no-color") > 0;

  RunConfig& config = o.config;
  if (!args.count("email")) throw UsageError{"--email is required"};
  config.email = args["email"].as<std::string>();
  if (has_control_chars(config.email)) throw UsageError{"control characters in --email"};
  if (args.count("provider")) {
    std::string name = args["provider"].as<std::string>();
    if (name != "none") {
      o.preset = preset_by_name(name);
      if (!o.preset) throw UsageError{"unknown --provider " + name + " (see --list-providers)"};
    }
  } else {
    o.preset = preset_for_email(config.email);
  }
  if (args.count("4") && args.count("6")) throw UsageError{"-4 and -6 exclude each other"};
  if (args.count("send-only") && args.count("receive-only"))
    throw UsageError{"--send-only and --receive-only exclude each other"};
  config.send = !args.count("receive-only");
  config.read_back = !args.count("send-only");
  const std::string receive = args["receive"].as<std::string>();
  if (receive != "imap" && receive != "pop3") throw UsageError{"--receive must be imap or pop3"};
  config.receive = receive == "imap" ? Receive::imap : Receive::pop3;
  if (config.send) read_endpoint(args, "smtp", o.preset, config.smtp.endpoint, o.warnings);
  if (config.read_back)
    read_endpoint(args, receive, o.preset, config.incoming.endpoint, o.warnings);
  if (args.count("find-token")) {
    if (config.send) throw UsageError{"--find-token goes with --receive-only"};
    config.find_token = args["find-token"].as<std::string>();
    for (unsigned char c : config.find_token)
      if (!std::isalnum(c)) throw UsageError{"--find-token takes letters and digits only"};
  }
  std::string checks = args["check"].as<std::string>();
  config.check_devices = checks.find("devices") != std::string::npos;
  config.check_folders = checks.find("folders") != std::string::npos;
  if (!config.check_devices && !config.check_folders && checks != "none")
    throw UsageError{"--check takes devices, folders, devices,folders or none"};
  config.keep = args.count("keep") > 0;
  config.delivery_timeout = static_cast<Millis>(args["delivery-timeout"].as<unsigned>()) * 1000;
  config.allow_plaintext = args.count("allow-plaintext") > 0;
  config.ehlo_name = args["ehlo"].as<std::string>();
  if (has_control_chars(config.ehlo_name)) throw UsageError{"control characters in --ehlo"};
  config.body_size = args["body-size"].as<std::size_t>();
  config.timeouts.connect = static_cast<Millis>(args["connect-timeout"].as<unsigned>()) * 1000;
  config.timeouts.handshake = config.timeouts.connect;
  config.timeouts.idle = static_cast<Millis>(args["timeout"].as<unsigned>()) * 1000;
  config.tls.ca_file = opt(args, "cafile");
  if (args.count("insecure")) {
    config.tls.verify = false;
    o.warnings.push_back(
        "--insecure: certificates are NOT verified; anyone on the path can read the password");
  }
  config.trace_path = opt(args, "trace");
  if (args.count("trace") && config.trace_path.empty()) throw UsageError{"empty --trace"};
  if (args.count("stop-after")) {
    std::string s = args["stop-after"].as<std::string>();
    if (s == "connect")
      config.stop_after = StopAfter::connect;
    else if (s == "tls")
      config.stop_after = StopAfter::tls;
    else if (s == "auth")
      config.stop_after = StopAfter::auth;
    else
      throw UsageError{"--stop-after must be connect, tls or auth"};
  }
  if (args.count("auth")) {
    o.mechanism = mechanism_from_name(args["auth"].as<std::string>());
    if (!o.mechanism)
      throw UsageError{"unknown --auth mechanism " + args["auth"].as<std::string>()};
  }

  o.smtp_login = !args.count("no-auth");
  o.login.user = opt(args, "user");
  if (has_control_chars(o.login.user)) throw UsageError{"control characters in --user"};
  read_secret_sources(args, "", o.login);
  const bool smtp_own = args.count("smtp-user") || args.count("smtp-password-env") ||
                        args.count("smtp-password-file") || args.count("smtp-password-cmd") ||
                        args.count("smtp-oauth2-token-env") || args.count("smtp-oauth2-token-cmd");
  if (smtp_own) {
    if (!o.smtp_login)
      throw UsageError{
          "--no-auth and the --smtp-user/--smtp-password-* options exclude each other"};
    if (!config.send)
      throw UsageError{"--smtp-user/--smtp-password-* go with sending (not --receive-only)"};
    IdentityPlan smtp;
    smtp.user = args.count("smtp-user") ? args["smtp-user"].as<std::string>() : o.login.user;
    if (has_control_chars(smtp.user)) throw UsageError{"control characters in --smtp-user"};
    read_secret_sources(args, "smtp-", smtp);
    if (!smtp.sources.named()) {  // only the user differs: the shared secret serves both
      smtp.sources = o.login.sources;
      smtp.is_token = o.login.is_token;
      smtp.shares_secret = true;
    }
    o.smtp_identity = std::move(smtp);
  }
}

// --accounts: the file, the concurrency, and the other words as every account's defaults.
void parse_accounts_request(const std::vector<std::string>& args,
                            const cxxopts::ParseResult& parsed, CommandLine& cl) {
  if (!parsed.unmatched().empty()) throw UsageError{"unexpected argument " + parsed.unmatched()[0]};
  if (parsed.count("json") && parsed.count("nagios"))
    throw UsageError{"--json and --nagios exclude each other"};
  if (parsed.count("trace"))
    throw UsageError{"with --accounts, give --trace per account in the file (one file each)"};
  AccountsRequest& r = cl.accounts;
  r.file = parsed["accounts"].as<std::string>();
  if (r.file.empty()) throw UsageError{"empty --accounts"};
  const unsigned concurrency = parsed["concurrency"].as<unsigned>();
  if (concurrency == 0) throw UsageError{"--concurrency takes a number above 0"};
  r.concurrency = concurrency;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool ours = a == "--accounts" || a == "--concurrency";
    if (i > 0 && (ours || a.rfind("--accounts=", 0) == 0 || a.rfind("--concurrency=", 0) == 0)) {
      if (ours) ++i;  // and its value
      continue;
    }
    r.defaults.push_back(a);
  }
  cl.action = Action::run_accounts;
}

}  // namespace

std::optional<OptionShape> option_shape(const std::string& name) {
  static const cxxopts::Options opts = make_options();
  for (const std::string& group : opts.groups())
    for (const cxxopts::HelpOptionDetails& d : opts.group_help(group).options) {
      const bool is_long = std::find(d.l.begin(), d.l.end(), name) != d.l.end();
      if (!is_long && d.s != name) continue;
      return OptionShape{d.l.empty() ? d.s : d.l.front(), !d.is_boolean};
    }
  return std::nullopt;
}

std::vector<OptionDoc> option_table() {
  const cxxopts::Options opts = make_options();
  std::vector<OptionDoc> table;
  for (const std::string& group : groups_in_order(opts))
    for (const cxxopts::HelpOptionDetails& d : opts.group_help(group).options)
      table.push_back({group, d.l.empty() ? d.s : d.l.front(), d.s,
                       d.is_boolean ? std::string{} : d.arg_help, d.desc,
                       d.has_default && !d.is_boolean ? d.default_value : std::string{}});
  return table;
}

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine cl;
  // Known before parsing, so that even a usage error comes out in the chosen format.
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--json") cl.options.format = OutputFormat::json;
    if (args[i] == "--nagios") cl.options.format = OutputFormat::nagios;
  }
  cxxopts::Options opts = make_options();
  std::vector<const char*> argv;
  for (const std::string& a : args)
    argv.push_back(a.c_str());
  try {
    cxxopts::ParseResult parsed = opts.parse(static_cast<int>(argv.size()), argv.data());
    if (parsed.count("help")) {
      cl.action = Action::help;
      cl.text =
          opts.help(groups_in_order(opts)) + "\n" + kHelpExamples + "\n" + kExitCodeHelp + "\n";
      return cl;
    }
    if (parsed.count("version")) {
      cl.action = Action::version;
      return cl;
    }
    if (parsed.count("list-providers")) {
      cl.action = Action::list_providers;
      return cl;
    }
    if (parsed.count("accounts")) {
      parse_accounts_request(args, parsed, cl);
      return cl;
    }
    if (parsed.count("concurrency")) throw UsageError{"--concurrency goes with --accounts"};
    parse_into(parsed, cl.options);
    cl.action = Action::run;
  } catch (const UsageError& e) {
    cl.action = Action::usage_error;
    cl.text = e.message;
  } catch (const std::exception& e) {
    cl.action = Action::usage_error;
    cl.text = e.what();
  }
  return cl;
}

}  // namespace mv::tool
