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

#include "protocols/common/ascii.hpp"
#include "protocols/common/idna.hpp"
#include "protocols/http/url.hpp"
#include "tls/host_address.hpp"
#include "tools/exit_codes.hpp"
#include "tools/name_servers.hpp"
#include "tools/peer_account.hpp"
#include "tools/plugin_range.hpp"
#include "tools/resolve_pins.hpp"

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

// A host as typed (name, IP address bare or in brackets, non-ASCII name) in the form to connect
// to: the bare address, or the name's A-label form. -4/-6 must agree with an address.
std::string host_as_typed(const std::string& typed, const std::string& option,
                          const std::string& protocol, Family family) {
  const std::optional<HostAddress> address = parse_host_address(typed);
  if (!address)
    throw UsageError{"--" + option + " " + typed +
                     " is neither a host name nor an IP address (an IPv6 address is written "
                     "bare or in brackets, without a port: give the port with --" +
                     protocol + "-port)"};
  if (address->kind == HostAddress::Kind::ipv4 && family == Family::ipv6)
    throw UsageError{"-6 contradicts --" + option + " " + typed + ", an IPv4 address"};
  if (address->kind == HostAddress::Kind::ipv6 && family == Family::ipv4)
    throw UsageError{"-4 contradicts --" + option + " " + typed + ", an IPv6 address"};
  if (address->literal() || !has_non_ascii(typed)) return address->host;
  std::string why;
  const std::optional<std::string> ascii = domain_to_ascii(typed, &why);
  if (!ascii) throw UsageError{"--" + option + " " + typed + " is no valid host name: " + why};
  return *ascii;
}

// The address with its domain in A-label form (local part as typed: it needs SMTPUTF8 when it is
// not ASCII, which the SMTP session checks).
std::string email_as_typed(const std::string& typed) {
  const std::size_t at = typed.rfind('@');
  if (at == std::string::npos) return typed;
  if (at == 0) throw UsageError{"--email " + typed + " has no local part before the @"};
  const std::string domain = typed.substr(at + 1);
  if (domain.empty()) throw UsageError{"--email " + typed + " has no domain after the @"};
  if (domain.front() == '[') return typed;  // an address literal, as typed
  std::string why;
  const std::optional<std::string> ascii = domain_to_ascii(domain, &why);
  if (!ascii) throw UsageError{"--email " + typed + ": the domain is no valid name: " + why};
  return typed.substr(0, at + 1) + *ascii;
}

std::string opt(const cxxopts::ParseResult& args, const std::string& key) {
  return args.count(key) ? args[key].as<std::string>() : std::string{};
}

// A whole-number option, read strictly: the whole word, in [min, max].
long long whole(const cxxopts::ParseResult& args, const std::string& key, long long min,
                long long max) {
  const std::string v = args[key].as<std::string>();
  const std::optional<long long> n = parse_whole(v, min, max);
  if (!n)
    throw UsageError{"--" + key + " takes a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not \"" + v + "\""};
  return *n;
}

// Seconds (a whole number) as milliseconds.
Millis seconds(const cxxopts::ParseResult& args, const std::string& key) {
  return static_cast<Millis>(whole(args, key, 1, 86400)) * 1000;
}

std::optional<PluginRange> range(const cxxopts::ParseResult& args, const std::string& key) {
  if (!args.count(key)) return std::nullopt;
  std::string error;
  std::optional<PluginRange> r = parse_range(args[key].as<std::string>(), error);
  if (!r) throw UsageError{"--" + key + ": " + error};
  return r;
}

// -t SECONDS[:STATE], as the monitoring plugins write it ("10", "10:UNKNOWN", "10:3").
void read_deadline(const cxxopts::ParseResult& args, ToolOptions& o) {
  if (!args.count("deadline")) return;
  const std::string v = args["deadline"].as<std::string>();
  const std::size_t colon = v.find(':');
  const std::optional<double> s = parse_decimal(v.substr(0, colon));
  if (!s || *s < 0.1 || *s > 86400)
    throw UsageError{"--deadline takes seconds from 0.1 to 86400 (and :STATE), not \"" + v + "\""};
  o.deadline = static_cast<Millis>(*s * 1000);
  if (colon == std::string::npos) return;
  std::string state = v.substr(colon + 1);
  for (char& c : state)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static constexpr const char* kStates[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
  for (int i = 0; i < 4; ++i)
    if (state == kStates[i] || state == std::to_string(i)) {
      o.thresholds.deadline_state = i;
      return;
    }
  throw UsageError{"--deadline SECONDS:STATE takes OK, WARNING, CRITICAL, UNKNOWN or 0-3"};
}

// The options that concern how the whole run is shown and bounded, also with --accounts.
void read_run_wide(const cxxopts::ParseResult& args, ToolOptions& o) {
  read_deadline(args, o);
  o.verbose = static_cast<unsigned>(args.count("verbose"));
  if (args.count("color")) {
    const std::string c = args["color"].as<std::string>();
    if (c == "auto")
      o.color = ColorChoice::automatic;
    else if (c == "always")
      o.color = ColorChoice::always;
    else if (c == "never")
      o.color = ColorChoice::never;
    else
      throw UsageError{"--color takes auto, always or never"};
    if (args.count("no-color") && o.color != ColorChoice::never)
      throw UsageError{"--no-color and --color=" + c + " exclude each other"};
  }
  if (args.count("no-color")) o.color = ColorChoice::never;
  o.prometheus_file = opt(args, "prometheus");
  if (args.count("prometheus") && o.prometheus_file.empty()) throw UsageError{"empty --prometheus"};
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

// Said before connecting, not only after a refusal: most providers want the full address.
void warn_user_without_domain(const std::string& option, const std::string& user,
                              const std::string& email, std::vector<std::string>& warnings) {
  const std::size_t at = email.find('@');
  if (user.empty() || user.find('@') != std::string::npos || at == std::string::npos) return;
  warnings.push_back(option + " \"" + user + "\" has no domain while --email has one: most " +
                     "providers want the full address as user name (" + option + " " + user +
                     email.substr(at) + ")");
}

// Every --resolve, parsed (a usage error names a bad one).
std::vector<ResolvePin> resolve_pins(const cxxopts::ParseResult& args) {
  std::vector<ResolvePin> pins;
  if (!args.count("resolve")) return pins;
  for (const std::string& v :
       rejoin_resolve_values(args["resolve"].as<std::vector<std::string>>())) {
    std::string error;
    auto pin = parse_resolve(v, error);
    if (!pin) throw UsageError{error};
    pins.push_back(std::move(*pin));
  }
  return pins;
}

// Every --connect-to, parsed (a usage error names a bad one).
std::vector<ConnectTo> connect_tos(const cxxopts::ParseResult& args) {
  std::vector<ConnectTo> all;
  if (!args.count("connect-to")) return all;
  for (const std::string& v : args["connect-to"].as<std::vector<std::string>>()) {
    std::string error;
    auto c = parse_connect_to(v, error);
    if (!c) throw UsageError{error};
    all.push_back(std::move(*c));
  }
  return all;
}

// A bare "TLS", as guides write it for either mode: the port's convention decides, and says so;
// without a port that has one, the user must choose. Never moves the port.
TlsMode resolve_bare_tls(const cxxopts::ParseResult& args, const std::string& protocol,
                         const std::string& word, std::vector<std::string>& warnings) {
  const std::string option = "--" + protocol + "-tls " + word;
  const char* implicit_port = protocol == "smtp" ? "465" : protocol == "imap" ? "993" : "995";
  const char* starttls_port = protocol == "smtp" ? "587" : protocol == "imap" ? "143" : "110";
  const std::string choices = "say --" + protocol +
                              "-tls implicit (TLS from the first byte, "
                              "SSL/TLS, usually port " +
                              implicit_port + ") or --" + protocol +
                              "-tls starttls (usually port " + starttls_port + ")";
  if (!args.count(protocol + "-port"))
    throw UsageError{option + " is ambiguous (guides use TLS for both modes): " + choices};
  const auto port = static_cast<unsigned>(whole(args, protocol + "-port", 1, 65535));
  const std::optional<TlsMode> mode = tls_mode_by_port(port);
  if (!mode)
    throw UsageError{option + " is ambiguous and port " + std::to_string(port) +
                     " has no convention: " + choices};
  warnings.push_back(option + " read as " + std::string(tls_mode_name(*mode)) +
                     ", the convention for port " + std::to_string(port) + "; " + choices);
  return *mode;
}

// --<protocol>-host/-port/-tls over --host over the preset over the defaults.
// No host from any of them: left empty for settings discovery (given.host false), which fills it.
void read_endpoint(const cxxopts::ParseResult& args, const std::string& protocol,
                   const ProviderPreset* preset, Endpoint& endpoint,
                   std::vector<std::string>& warnings, DiscoveryRequest::Given& given) {
  std::optional<TlsMode> explicit_mode;
  const std::string port_key = protocol + "-port";
  if (args.count(protocol + "-tls")) {
    const std::string word = args[protocol + "-tls"].as<std::string>();
    explicit_mode = tls_mode_from_name(word);
    if (!explicit_mode && tls_mode_ambiguous(word))
      explicit_mode = resolve_bare_tls(args, protocol, word, warnings);
    if (!explicit_mode)
      throw UsageError{"--" + protocol +
                       "-tls must be starttls (or explicit), implicit (or SSL, "
                       "SSL/TLS) or none"};
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
  }
  given.host = args.count(host_key) || args.count("host");
  given.port = args.count(port_key) > 0;
  given.tls = explicit_mode.has_value();
  endpoint.family = args.count("4") ? Family::ipv4 : args.count("6") ? Family::ipv6 : Family::any;
  if (endpoint.host.empty() && !given.host) return;  // settings discovery finds it
  for (unsigned char c : endpoint.host)
    if (c <= 0x20 || c == 0x7f) throw UsageError{"control characters or spaces in --" + host_key};
  if (endpoint.host.empty()) throw UsageError{"empty --" + host_key};
  endpoint.host = host_as_typed(endpoint.host, args.count(host_key) ? host_key : "host", protocol,
                                endpoint.family);

  const TlsMode default_mode = protocol == "smtp" ? TlsMode::starttls : TlsMode::implicit;
  endpoint.tls = explicit_mode           ? *explicit_mode
                 : from_preset.present() ? from_preset.tls
                                         : default_mode;
  if (args.count(port_key)) {
    endpoint.port = static_cast<unsigned>(whole(args, port_key, 1, 65535));
  } else if (from_preset.present() && from_preset.tls == endpoint.tls) {
    endpoint.port = from_preset.port;
  } else {
    endpoint.port = default_port(protocol, endpoint.tls);
  }
  if (endpoint.port == 0 || endpoint.port > 65535) throw UsageError{"bad --" + port_key};
  const ConnectTarget target =
      connect_target(connect_tos(args), resolve_pins(args), endpoint.host, endpoint.port);
  endpoint.address = target.address;
  if (target.port != endpoint.port) endpoint.connect_port = target.port;
  if (auto current = current_name_of_legacy_host(endpoint.host))
    warnings.push_back(endpoint.host + " is a retired server name; the current one is " +
                       std::string(*current) + " (--" + host_key + " " + std::string(*current) +
                       ")");
}

// --discover, --discover-only, --dns-server and the --resolve pins discovered hosts also get.
void read_discovery(const cxxopts::ParseResult& args, ToolOptions& o) {
  DiscoveryRequest& d = o.discovery;
  d.only = args.count("discover-only") > 0;
  d.requested = d.only || args.count("discover") > 0;
  if (args.count("dns-server")) {
    for (const std::string& v : args["dns-server"].as<std::vector<std::string>>()) {
      std::string error;
      std::optional<NameServer> server = parse_dns_server(v, error);
      if (!server) throw UsageError{error};
      d.servers.push_back(std::move(*server));
    }
  }
  d.pins = resolve_pins(args);
  d.connect_to = connect_tos(args);
  if (args.count("ispdb")) d.ispdb_path = args["ispdb"].as<std::string>();
  if (args.count("ispdb-url")) {
    d.ispdb_url = args["ispdb-url"].as<std::string>();
    const std::optional<Url> url = parse_url(d.ispdb_url);
    if (!url || !url->https)
      throw UsageError{"--ispdb-url \"" + d.ispdb_url + "\" is not an https:// URL"};
  }
  d.autodiscover = args.count("no-autodiscover") == 0;
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
    ("list-providers", "show the provider presets and exit")
    ("peer-email", "another account: it sends a message to this one, which replies; both must arrive (its options: --peer-password-env, --peer-host, --peer-receive, ... as for the account)", cxxopts::value<std::string>(), "ADDRESS");
  opts.add_options("Server")
    ("H,host", "default server for every protocol (a name, an IPv4 or IPv6 address, [::1])", cxxopts::value<std::string>(), "HOST")
    ("smtp-host", "SMTP server (default: --host, or the preset)", cxxopts::value<std::string>(), "HOST")
    ("smtp-port", "SMTP port (default: the preset, or 587 starttls, 465 implicit, 25 none)", cxxopts::value<std::string>(), "PORT")
    ("smtp-tls", "SMTP TLS mode: starttls (default; also explicit), implicit (also SSL, SSL/TLS) or none; a bare TLS follows the convention of --smtp-port", cxxopts::value<std::string>(), "MODE")
    ("receive", "read back over imap or pop3", cxxopts::value<std::string>()->default_value("imap"), "PROTOCOL")
    ("imap-host", "IMAP server (default: --host, or the preset)", cxxopts::value<std::string>(), "HOST")
    ("imap-port", "IMAP port (default: the preset, or 993 implicit, 143 starttls)", cxxopts::value<std::string>(), "PORT")
    ("imap-tls", "IMAP TLS mode: implicit (default; also SSL, SSL/TLS), starttls (also explicit) or none", cxxopts::value<std::string>(), "MODE")
    ("pop3-host", "POP3 server (default: --host, or the preset)", cxxopts::value<std::string>(), "HOST")
    ("pop3-port", "POP3 port (default: the preset, or 995 implicit, 110 starttls)", cxxopts::value<std::string>(), "PORT")
    ("pop3-tls", "POP3 TLS mode: implicit (default; also SSL, SSL/TLS), starttls (also explicit) or none", cxxopts::value<std::string>(), "MODE")
    ("discover", "find the servers from the --email domain (preset, autoconfig, ISPDB, SRV records, the MX's provider, Autodiscover), print the candidates with where each came from, then run with the best (a run without --host and without a preset discovers too)")
    ("discover-only", "like --discover, but only print the candidates: exit 0 when every server the run needs was found")
    ("dns-server", "ask the name server at ADDRESS[:PORT] for discovery and for every host's addresses, like dig @ADDRESS (repeatable; IPv6 in brackets with a port: [::1]:53; default: /etc/resolv.conf, and the system resolver for addresses)", cxxopts::value<std::vector<std::string>>(), "ADDRESS")
    ("ispdb", "discovery also reads this local ISPDB: a directory laid out like Thunderbird's (DOMAIN, DOMAIN.xml or ispdb/DOMAIN.xml) or one config-v1.1.xml file; trusted like the central one", cxxopts::value<std::string>(), "PATH")
    ("ispdb-url", "the central ISPDB's base URL, for a mirror (https only; default: https://autoconfig.thunderbird.net/v1.1/)", cxxopts::value<std::string>(), "URL")
    ("no-autodiscover", "discovery does not ask Microsoft Autodiscover");
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
  // clang-format on
  add_oauth2_options(opts);
  // clang-format off
  opts.add_options("Connection and TLS")
    ("cafile", "trust only the CAs in this PEM file (default: the system store)", cxxopts::value<std::string>(), "FILE")
    ("connect-to", "HOST1:PORT1:HOST2:PORT2: connect to HOST2 on PORT2 for HOST1 on PORT1, as curl's --connect-to (empty fields match any host or port, or keep them; IPv6 in brackets; repeatable); HOST1 is still the name checked in the certificate", cxxopts::value<std::vector<std::string>>(), "HOST1:PORT1:HOST2:PORT2")
    ("resolve", "HOST:PORT:ADDRESS[,ADDRESS...]: connect to ADDRESS for HOST:PORT, as curl's --resolve (IPv6 in brackets; repeatable); HOST is still the name checked in the certificate", cxxopts::value<std::vector<std::string>>(), "HOST:PORT:ADDRESS")
    ("insecure", "do not verify certificates (never needed with --cafile)")
    ("allow-plaintext", "allow credentials without TLS (only on a trusted network)")
    ("4,ipv4", "connect over IPv4 only")
    ("6,ipv6", "connect over IPv6 only")
    ("connect-timeout", "seconds per connection attempt", cxxopts::value<std::string>()->default_value("10"), "SECONDS")
    ("timeout", "seconds to wait for any server reply", cxxopts::value<std::string>()->default_value("30"), "SECONDS")
    ("ehlo", "name to send in EHLO", cxxopts::value<std::string>()->default_value("localhost"), "NAME");
  opts.add_options("Round trip")
    ("body-size", "approximate size of the test message body in bytes", cxxopts::value<std::string>()->default_value("512"), "BYTES")
    ("send-only", "only send the test message (no read-back)")
    ("receive-only", "only log in to the mailbox (with --find-token: find that message)")
    ("find-token", "with --receive-only: the token of a message sent earlier", cxxopts::value<std::string>(), "TOKEN")
    ("check", "checks after the read-back: devices, folders, devices,folders or none", cxxopts::value<std::string>()->default_value("devices,folders"), "CHECKS")
    ("keep", "leave the test message in the mailbox (default: remove only it)")
    ("delivery-timeout", "seconds to wait for the message to arrive (with --peer-email on a terminal 120, as the setup guides allow a minute or two)", cxxopts::value<std::string>()->default_value("30"), "SECONDS")
    ("stop-after", "dry run that sends no message: stop after connect, tls or auth", cxxopts::value<std::string>(), "STEP");
  opts.add_options("Output")
    ("trace", "write the wire transcript (secrets redacted) to this file", cxxopts::value<std::string>(), "FILE")
    ("json", "print one JSON document (schema_version 1) instead of text")
    ("color", "colour: auto (default: on a terminal, unless NO_COLOR is set or TERM=dumb), always or never", cxxopts::value<std::string>(), "WHEN")
    ("no-color", "no colour even on a terminal (--color=never)")
    ("name", "the account's name: the label of its results in every output (default: --email)", cxxopts::value<std::string>(), "NAME");
  opts.add_options("Monitoring")
    ("nagios", "print one monitoring-plugin line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
    ("w,warning", "with --nagios: WARNING when the run's seconds are outside this range (10, 10:, ~:10, 10:20, @10:20)", cxxopts::value<std::string>(), "RANGE")
    ("c,critical", "with --nagios: CRITICAL when the run's seconds are outside this range", cxxopts::value<std::string>(), "RANGE")
    ("delivery-warning", "with --nagios: WARNING when the delivery's seconds are outside this range", cxxopts::value<std::string>(), "RANGE")
    ("delivery-critical", "with --nagios: CRITICAL when the delivery's seconds are outside this range", cxxopts::value<std::string>(), "RANGE")
    ("cert-warning", "warn when a certificate expires in fewer days (default 14; --nagios: WARNING)", cxxopts::value<std::string>(), "DAYS")
    ("cert-critical", "with --nagios: CRITICAL when a certificate expires in fewer days", cxxopts::value<std::string>(), "DAYS")
    ("t,deadline", "one overall deadline for the whole run, in seconds; SECONDS:STATE sets the --nagios status it ends with (default CRITICAL)", cxxopts::value<std::string>(), "SECONDS")
    ("v,verbose", "with --nagios: the steps as long output, one line each, after the first line")
    ("prometheus", "also write the results to this file in the Prometheus text format (node exporter's textfile collector), atomically", cxxopts::value<std::string>(), "FILE");
  opts.add_options("Several accounts")
    ("accounts", "check every account of this file at once: one line of options per account, over the options given here (# comments)", cxxopts::value<std::string>(), "FILE")
    ("concurrency", "with --accounts: how many accounts are checked at the same time", cxxopts::value<std::string>()->default_value("8"), "N");
  opts.add_options("Help")
    ("h,help", "show this help")
    ("V,version", "show the version (and the TLS library's) and exit");
  // clang-format on
  return opts;
}

// The groups in the order --help and the man page show them (cxxopts sorts them by name); a
// group not listed here comes after these.
std::vector<std::string> groups_in_order(const cxxopts::Options& opts) {
  std::vector<std::string> order{
      "Account",    "Server", "Sign-in",    "OAuth2 sign-in",   "Connection and TLS",
      "Round trip", "Output", "Monitoring", "Several accounts", "Help"};
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
  verify-roundtrip --email me@example.org --discover-only
      show the servers found for example.org (preset, SRV records, MX), each with its source
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
  for (const char* key :
       {"warning", "critical", "delivery-warning", "delivery-critical", "cert-critical"})
    if (args.count(key) && o.format != OutputFormat::nagios)
      throw UsageError{std::string("--") + key + " goes with --nagios"};
  NagiosThresholds& t = o.thresholds;
  t.warning = range(args, "warning");
  t.critical = range(args, "critical");
  t.delivery_warning = range(args, "delivery-warning");
  t.delivery_critical = range(args, "delivery-critical");
  if (args.count("cert-warning")) t.cert_warning_days = whole(args, "cert-warning", 0, 100000);
  o.config.cert_warning_days = t.cert_warning_days;
  if (args.count("cert-critical")) t.cert_critical_days = whole(args, "cert-critical", 0, 100000);
  read_run_wide(args, o);
  o.name = opt(args, "name");
  if (args.count("name") && (o.name.empty() || has_control_chars(o.name)))
    throw UsageError{"--name takes a name without control characters"};
  if (std::string err = read_oauth2_options(args, o.oauth2); !err.empty()) throw UsageError{err};

  RunConfig& config = o.config;
  if (!args.count("email")) throw UsageError{"--email is required"};
  config.email = args["email"].as<std::string>();
  if (has_control_chars(config.email)) throw UsageError{"control characters in --email"};
  config.email = email_as_typed(config.email);
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
  read_discovery(args, o);
  if (config.send)
    read_endpoint(args, "smtp", o.preset, config.smtp.endpoint, o.warnings, o.discovery.smtp);
  if (config.read_back)
    read_endpoint(args, receive, o.preset, config.incoming.endpoint, o.warnings,
                  o.discovery.incoming);
  o.discovery.needed = (config.send && config.smtp.endpoint.host.empty()) ||
                       (config.read_back && config.incoming.endpoint.host.empty());
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
  config.delivery_timeout = seconds(args, "delivery-timeout");
  o.delivery_timeout_given = args.count("delivery-timeout") > 0;
  config.allow_plaintext = args.count("allow-plaintext") > 0;
  config.ehlo_name = args["ehlo"].as<std::string>();
  if (has_control_chars(config.ehlo_name)) throw UsageError{"control characters in --ehlo"};
  config.body_size = static_cast<std::size_t>(whole(args, "body-size", 0, 1LL << 30));
  config.timeouts.connect = seconds(args, "connect-timeout");
  config.timeouts.handshake = config.timeouts.connect;
  config.timeouts.idle = seconds(args, "timeout");
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
  warn_user_without_domain("--user", o.login.user, config.email, o.warnings);
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
    if (args.count("smtp-user"))
      warn_user_without_domain("--smtp-user", smtp.user, config.email, o.warnings);
    read_secret_sources(args, "smtp-", smtp);
    if (!smtp.sources.named()) {  // only the user differs: the shared secret serves both
      smtp.sources = o.login.sources;
      smtp.is_token = o.login.is_token;
      smtp.shares_secret = true;
    }
    o.smtp_identity = std::move(smtp);
  }
}

// --peer-email's own command line, parsed like the account's; the run must do both directions.
void parse_peer(const std::vector<std::string>& peer_args, ToolOptions& o) {
  const RunConfig& c = o.config;
  if (!c.send || !c.read_back || c.stop_after != StopAfter::nothing)
    throw UsageError{
        "--peer-email checks both directions: it excludes --send-only, --receive-only and "
        "--stop-after"};
  CommandLine peer = parse_command_line(peer_args);
  if (peer.action != Action::run) throw UsageError{"the peer account: " + peer.text};
  if (peer.options.discovery.needed)
    throw UsageError{
        "the peer account: give --peer-host (settings discovery is not available "
        "for the peer yet)"};
  if (iequals(peer.options.config.email, c.email))
    throw UsageError{"--peer-email must be another account than --email"};
  o.peer = std::make_shared<ToolOptions>(std::move(peer.options));
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
  r.concurrency = static_cast<std::size_t>(whole(parsed, "concurrency", 1, 100000));
  read_run_wide(parsed, cl.options);
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
  std::vector<std::string> account_args, peer_args;
  if (std::string err = split_peer_args(args, account_args, peer_args); !err.empty()) {
    cl.text = err;
    return cl;
  }
  std::vector<const char*> argv;
  for (const std::string& a : account_args)
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
    if (!peer_args.empty()) parse_peer(peer_args, cl.options);
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
