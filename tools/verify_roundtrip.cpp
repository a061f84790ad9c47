// verify-roundtrip: the command line. Parses options (cxxopts, exceptions allowed here only),
// gathers the secret, runs the engine and renders the report. Thin by design.
#include <unistd.h>

#include <cctype>
#include <cxxopts.hpp>
#include <iostream>

#include "engine/run.hpp"
#include "tools/credentials.hpp"
#include "tools/exit_codes.hpp"
#include "tools/human_output.hpp"

namespace {

using namespace mv;

int usage_error(const std::string& message) {
  std::cerr << "verify-roundtrip: " << message << "\n(see --help)\n";
  return tool::kExitUsage;
}

// The ports RFC 8314 and the protocols' own RFCs assign, by protocol and TLS mode.
unsigned default_port(const std::string& protocol, TlsMode mode) {
  const bool implicit = mode == TlsMode::implicit;
  if (protocol == "smtp") return implicit ? 465 : mode == TlsMode::starttls ? 587 : 25;
  if (protocol == "imap") return implicit ? 993 : 143;
  return implicit ? 995 : 110;
}

// --<protocol>-host/-port/-tls into an endpoint; an error message when they do not fit.
std::string read_endpoint(const cxxopts::ParseResult& args, const std::string& protocol,
                          Endpoint& endpoint) {
  const std::string host_key = protocol + "-host";
  if (args.count(host_key)) {
    endpoint.host = args[host_key].as<std::string>();
  } else if (args.count("host")) {
    endpoint.host = args["host"].as<std::string>();
  } else {
    return "--" + host_key + " (or --host) is required";
  }
  auto mode = tls_mode_from_name(args[protocol + "-tls"].as<std::string>());
  if (!mode) return "--" + protocol + "-tls must be starttls, implicit or none";
  endpoint.tls = *mode;
  const std::string port_key = protocol + "-port";
  endpoint.port =
      args.count(port_key) ? args[port_key].as<unsigned>() : default_port(protocol, *mode);
  if (endpoint.port == 0 || endpoint.port > 65535) return "bad --" + port_key;
  endpoint.family = args.count("4") ? Family::ipv4 : args.count("6") ? Family::ipv6 : Family::any;
  for (unsigned char c : endpoint.host)
    if (c <= 0x20 || c == 0x7f) return "control characters or spaces in --" + host_key;
  return {};
}

bool has_control_chars(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options opts("verify-roundtrip",
                        "Proves end to end that a mail account's settings work: logs in over "
                        "SMTP and sends a uniquely tagged message to the account itself.\n");
  // clang-format off
  opts.add_options()
    ("email", "the account's address (sender and recipient of the test message)", cxxopts::value<std::string>())
    ("user", "user name to log in with (default: --email)", cxxopts::value<std::string>())
    ("host", "default server for every protocol", cxxopts::value<std::string>())
    ("smtp-host", "SMTP server (default: --host)", cxxopts::value<std::string>())
    ("smtp-port", "SMTP port (default: 587 starttls, 465 implicit, 25 none)", cxxopts::value<unsigned>())
    ("smtp-tls", "SMTP TLS mode: starttls, implicit or none", cxxopts::value<std::string>()->default_value("starttls"))
    ("receive", "read back over imap or pop3", cxxopts::value<std::string>()->default_value("imap"))
    ("imap-host", "IMAP server (default: --host)", cxxopts::value<std::string>())
    ("imap-port", "IMAP port (default: 993 implicit, 143 starttls)", cxxopts::value<unsigned>())
    ("imap-tls", "IMAP TLS mode: implicit, starttls or none", cxxopts::value<std::string>()->default_value("implicit"))
    ("pop3-host", "POP3 server (default: --host)", cxxopts::value<std::string>())
    ("pop3-port", "POP3 port (default: 995 implicit, 110 starttls)", cxxopts::value<unsigned>())
    ("pop3-tls", "POP3 TLS mode: implicit, starttls or none", cxxopts::value<std::string>()->default_value("implicit"))
    ("auth", "SASL mechanism: PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER (default: the strongest both sides have)", cxxopts::value<std::string>())
    ("password-env", "read the password from this environment variable", cxxopts::value<std::string>())
    ("password-file", "read the password from the first line of this file", cxxopts::value<std::string>())
    ("password", "the password itself (visible to other users: prefer the options above)", cxxopts::value<std::string>())
    ("oauth2-token-env", "read an OAuth2 access token from this environment variable (XOAUTH2/OAUTHBEARER)", cxxopts::value<std::string>())
    ("no-auth", "submit without authenticating")
    ("cafile", "trust only the CAs in this PEM file (default: the system store)", cxxopts::value<std::string>())
    ("insecure", "do not verify certificates (never needed with --cafile)")
    ("allow-plaintext", "allow credentials without TLS (only on a trusted network)")
    ("4,ipv4", "connect over IPv4 only")
    ("6,ipv6", "connect over IPv6 only")
    ("connect-timeout", "seconds per connection attempt", cxxopts::value<unsigned>()->default_value("10"))
    ("timeout", "seconds to wait for any server reply", cxxopts::value<unsigned>()->default_value("30"))
    ("ehlo", "name to send in EHLO", cxxopts::value<std::string>()->default_value("localhost"))
    ("body-size", "approximate size of the test message body in bytes", cxxopts::value<std::size_t>()->default_value("512"))
    ("send-only", "only send the test message (no read-back)")
    ("receive-only", "only log in to the mailbox (with --find-token: find that message)")
    ("find-token", "with --receive-only: the token of a message sent earlier", cxxopts::value<std::string>())
    ("check", "checks after read-back: devices, folders, both (default) or none", cxxopts::value<std::string>()->default_value("devices,folders"))
    ("keep", "leave the test message in the mailbox (default: remove only it)")
    ("delivery-timeout", "seconds to wait for the message to arrive", cxxopts::value<unsigned>()->default_value("30"))
    ("stop-after", "dry run that sends no message: stop after connect, tls or auth", cxxopts::value<std::string>())
    ("no-color", "no colour even on a terminal")
    ("h,help", "show this help");
  // clang-format on

  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  if (args.count("help")) {
    std::cout << opts.help() << "\n" << tool::kExitCodeHelp << "\n";
    return tool::kExitOk;
  }
  if (!args.unmatched().empty()) return usage_error("unexpected argument " + args.unmatched()[0]);

  RunConfig config;
  if (!args.count("email")) return usage_error("--email is required");
  config.email = args["email"].as<std::string>();
  if (has_control_chars(config.email)) return usage_error("control characters in --email");
  if (args.count("4") && args.count("6")) return usage_error("-4 and -6 exclude each other");
  if (args.count("send-only") && args.count("receive-only"))
    return usage_error("--send-only and --receive-only exclude each other");
  config.send = !args.count("receive-only");
  config.read_back = !args.count("send-only");
  const std::string receive = args["receive"].as<std::string>();
  if (receive != "imap" && receive != "pop3") return usage_error("--receive must be imap or pop3");
  config.receive = receive == "imap" ? Receive::imap : Receive::pop3;
  if (config.send) {
    if (std::string err = read_endpoint(args, "smtp", config.smtp.endpoint); !err.empty())
      return usage_error(err);
  }
  if (config.read_back) {
    if (std::string err = read_endpoint(args, receive, config.incoming.endpoint); !err.empty())
      return usage_error(err);
  }
  if (args.count("find-token")) {
    if (config.send) return usage_error("--find-token goes with --receive-only");
    config.find_token = args["find-token"].as<std::string>();
    for (unsigned char c : config.find_token)
      if (!std::isalnum(c)) return usage_error("--find-token takes letters and digits only");
  }
  std::string checks = args["check"].as<std::string>();
  config.check_devices = checks.find("devices") != std::string::npos;
  config.check_folders = checks.find("folders") != std::string::npos;
  if (!config.check_devices && !config.check_folders && checks != "none")
    return usage_error("--check takes devices, folders, devices,folders or none");
  config.keep = args.count("keep") > 0;
  config.delivery_timeout = static_cast<Millis>(args["delivery-timeout"].as<unsigned>()) * 1000;
  config.allow_plaintext = args.count("allow-plaintext") > 0;
  config.ehlo_name = args["ehlo"].as<std::string>();
  if (has_control_chars(config.ehlo_name)) return usage_error("control characters in --ehlo");
  config.body_size = args["body-size"].as<std::size_t>();
  config.timeouts.connect = static_cast<Millis>(args["connect-timeout"].as<unsigned>()) * 1000;
  config.timeouts.handshake = config.timeouts.connect;
  config.timeouts.idle = static_cast<Millis>(args["timeout"].as<unsigned>()) * 1000;
  if (args.count("cafile")) config.tls.ca_file = args["cafile"].as<std::string>();
  if (args.count("insecure")) {
    config.tls.verify = false;
    std::cerr << "warning: --insecure: certificates are NOT verified; anyone on the path can "
                 "read the password\n";
  }
  if (args.count("stop-after")) {
    std::string s = args["stop-after"].as<std::string>();
    if (s == "connect")
      config.stop_after = StopAfter::connect;
    else if (s == "tls")
      config.stop_after = StopAfter::tls;
    else if (s == "auth")
      config.stop_after = StopAfter::auth;
    else
      return usage_error("--stop-after must be connect, tls or auth");
  }
  std::optional<Mechanism> mechanism;
  if (args.count("auth")) {
    mechanism = mechanism_from_name(args["auth"].as<std::string>());
    if (!mechanism)
      return usage_error("unknown --auth mechanism " + args["auth"].as<std::string>());
  }

  std::optional<Credentials> credentials;
  if (!args.count("no-auth") || config.read_back) {
    Credentials cred;
    cred.user = args.count("user") ? args["user"].as<std::string>() : config.email;
    if (has_control_chars(cred.user)) return usage_error("control characters in --user");
    tool::SecretSources src;
    if (args.count("oauth2-token-env")) {
      src.env_var = args["oauth2-token-env"].as<std::string>();
      cred.is_token = true;
    } else if (args.count("password-env")) {
      src.env_var = args["password-env"].as<std::string>();
    }
    if (args.count("password-file")) src.file = args["password-file"].as<std::string>();
    if (args.count("password")) src.literal = args["password"].as<std::string>();
    src.prompt = "Password for " + cred.user + ": ";
    tool::SecretResult secret = tool::read_secret(src);
    if (!secret.error.empty()) return usage_error(secret.error);
    if (!secret.warning.empty()) std::cerr << "warning: " << secret.warning << "\n";
    if (!secret.secret)
      return usage_error(
          "no password: give --password-env, --password-file, --oauth2-token-env or run on a "
          "terminal to be asked");
    cred.secret = std::move(*secret.secret);
    credentials = std::move(cred);
  }
  if (!args.count("no-auth")) {
    config.smtp.credentials = credentials;
    config.smtp.mechanism = mechanism;
  }
  config.incoming.credentials = credentials;
  config.incoming.mechanism = mechanism;

  bool color = !args.count("no-color") && ::isatty(STDOUT_FILENO);
  std::cout << "verify-roundtrip: " << config.email;
  if (config.send)
    std::cout << ", SMTP " << config.smtp.endpoint.host << ":" << config.smtp.endpoint.port << " ("
              << tls_mode_name(config.smtp.endpoint.tls) << ")";
  if (config.read_back)
    std::cout << ", " << (config.receive == Receive::imap ? "IMAP " : "POP3 ")
              << config.incoming.endpoint.host << ":" << config.incoming.endpoint.port << " ("
              << tls_mode_name(config.incoming.endpoint.tls) << ")";
  std::cout << "\n";
  RunResult result = run(config);
  std::string verdict;
  if (config.stop_after != StopAfter::nothing) {
    verdict = "dry run: nothing was sent";
  } else if (!config.send) {
    verdict = "mailbox reachable and logged in";
  } else if (!config.read_back) {
    verdict = "message accepted by the server";
    if (!result.queue_id.empty()) verdict += " (queued as " + result.queue_id + ")";
  } else {
    verdict = "round trip complete";
    if (result.delivery_ms)
      verdict += ", delivered in " + std::to_string(static_cast<long>(*result.delivery_ms)) + " ms";
  }
  if (!result.token.empty()) verdict += ", token " + result.token;
  tool::print_human(std::cout, result.report, verdict, color);
  return tool::exit_code_for(result.report.error);
}
