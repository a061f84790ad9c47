// SPDX-License-Identifier: Apache-2.0
// verify-roundtrip-min: the driver of the minimal profile (-DMAILVERIFY_MINIMAL=ON). Same engine,
// same exit codes as verify-roundtrip, but no cxxopts and no iostreams: plain argv parsing,
// snprintf and write(2), so a static -Os build stays small. The password, or an OAuth2 access
// token (Microsoft's consumer accounts take nothing else), comes from an environment variable
// only (never argv, never a prompt). One line per step on stdout.
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/run.hpp"
#include "tools/exit_codes.hpp"
#include "tools/no_core_dumps.hpp"
#include "tools/stop_signals.hpp"
#include "tools/version.hpp"

namespace {

using namespace mv;

constexpr const char* kUsage =
    "usage: verify-roundtrip-min --email ADDR --host HOST [options]\n"
    "  --smtp-port N --smtp-tls starttls|implicit|none   (default 587 starttls)\n"
    "  --receive imap|pop3 --in-port N --in-tls implicit|starttls|none   (default imap 993)\n"
    "  --user NAME   --password-env VAR (default MAILVERIFY_PASSWORD)   --cafile FILE\n"
    "  --oauth2-token-env VAR (an OAuth2 access token instead of a password; XOAUTH2 unless "
    "--auth)\n"
    "  --auth PLAIN|LOGIN|CRAM-MD5|XOAUTH2|OAUTHBEARER   (default: the strongest both offer)\n"
    "  --check devices,folders|devices|folders|none   --body-size N   --keep\n"
    "  --send-only   --receive-only   --allow-plaintext   --insecure   --timeout SECONDS\n"
    "  --version   --help\n"
    "exit: 0 passed, 2 usage, 3 network, 4 TLS, 5 auth, 6 policy, 7 delivery, 8 protocol,\n"
    "  130 interrupted (SIGINT/SIGTERM: the test message is removed if it had arrived)\n";

void put(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

__attribute__((format(printf, 2, 3))) void print(int fd, const char* format, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, format);
  int n = std::vsnprintf(buf, sizeof buf, format, ap);
  va_end(ap);
  if (n > 0) put(fd, std::string_view(buf, n < static_cast<int>(sizeof buf) ? n : sizeof buf - 1));
}

int usage(const char* message) {
  print(2, "verify-roundtrip-min: %s\n%s", message, kUsage);
  return tool::kExitUsage;
}

bool to_unsigned(const char* s, unsigned long max, unsigned long& out) {
  char* end = nullptr;
  out = std::strtoul(s, &end, 10);
  return *s >= '0' && *s <= '9' && *end == '\0' && out <= max;
}

unsigned default_port(bool smtp, bool pop3, TlsMode mode) {
  const bool implicit = mode == TlsMode::implicit;
  if (smtp) return implicit ? 465 : mode == TlsMode::starttls ? 587 : 25;
  if (pop3) return implicit ? 995 : 110;
  return implicit ? 993 : 143;
}

}  // namespace

int main(int argc, char** argv) {
  mv::tool::forbid_core_dumps();  // before the password is read
  RunConfig config;
  const char* host = nullptr;
  const char* user = nullptr;
  const char* password_env = "MAILVERIFY_PASSWORD";
  const char* token_env = nullptr;
  std::optional<Mechanism> mechanism;
  unsigned long smtp_port = 0, in_port = 0, number = 0;
  std::optional<TlsMode> smtp_tls = TlsMode::starttls, in_tls = TlsMode::implicit;
  bool send_only = false, receive_only = false;

  for (int i = 1; i < argc; ++i) {
    const std::string_view opt = argv[i];
    auto flag = [&](const char* name) { return opt == name; };
    if (flag("--send-only")) {
      send_only = true;
    } else if (flag("--receive-only")) {
      receive_only = true;
    } else if (flag("--keep")) {
      config.keep = true;
    } else if (flag("--allow-plaintext")) {
      config.allow_plaintext = true;
    } else if (flag("--insecure")) {
      config.tls.verify = false;
    } else if (flag("-h") || flag("--help")) {
      put(1, kUsage);
      return tool::kExitOk;
    } else if (flag("--version")) {
      put(1, tool::version_line("verify-roundtrip-min"));
      put(1, "\n");
      return tool::kExitOk;
    } else if (i + 1 >= argc || opt.substr(0, 2) != "--") {
      return usage(i + 1 >= argc && opt.substr(0, 2) == "--" ? "option needs a value"
                                                             : "unexpected argument");
    } else {
      const char* value = argv[++i];
      if (flag("--email")) {
        config.email = value;
      } else if (flag("--host")) {
        host = value;
      } else if (flag("--user")) {
        user = value;
      } else if (flag("--password-env")) {
        password_env = value;
      } else if (flag("--oauth2-token-env")) {
        token_env = value;
      } else if (flag("--auth")) {
        if (!(mechanism = mechanism_from_name(value))) return usage("unknown --auth mechanism");
      } else if (flag("--cafile")) {
        config.tls.ca_file = value;
      } else if (flag("--smtp-port")) {
        if (!to_unsigned(value, 65535, smtp_port) || smtp_port == 0)
          return usage("bad --smtp-port");
      } else if (flag("--in-port")) {
        if (!to_unsigned(value, 65535, in_port) || in_port == 0) return usage("bad --in-port");
      } else if (flag("--smtp-tls")) {
        if (!(smtp_tls = tls_mode_from_name(value))) return usage("bad --smtp-tls");
      } else if (flag("--in-tls")) {
        if (!(in_tls = tls_mode_from_name(value))) return usage("bad --in-tls");
      } else if (flag("--receive")) {
        const std::string_view v = value;
        if (v != "imap" && v != "pop3") return usage("--receive must be imap or pop3");
        config.receive = v == "imap" ? Receive::imap : Receive::pop3;
      } else if (flag("--check")) {
        const std::string_view v = value;
        config.check_devices = v.find("devices") != std::string_view::npos;
        config.check_folders = v.find("folders") != std::string_view::npos;
        if (!config.check_devices && !config.check_folders && v != "none")
          return usage("--check takes devices, folders, devices,folders or none");
      } else if (flag("--body-size")) {
        if (!to_unsigned(value, 1ul << 31, number)) return usage("bad --body-size");
        config.body_size = number;
      } else if (flag("--timeout")) {
        if (!to_unsigned(value, 3600, number) || number == 0) return usage("bad --timeout");
        config.timeouts.idle = static_cast<Millis>(number) * 1000;
      } else {
        return usage("unknown option");
      }
    }
  }
  if (config.email.empty() || !host) return usage("--email and --host are required");
  if (send_only && receive_only) return usage("--send-only and --receive-only exclude each other");
  config.send = !receive_only;
  config.read_back = !send_only;

  const bool pop3 = config.receive == Receive::pop3;
  config.smtp.endpoint.host = config.incoming.endpoint.host = host;
  config.smtp.endpoint.tls = *smtp_tls;
  config.smtp.endpoint.port =
      smtp_port ? static_cast<unsigned>(smtp_port) : default_port(true, false, *smtp_tls);
  config.incoming.endpoint.tls = *in_tls;
  config.incoming.endpoint.port =
      in_port ? static_cast<unsigned>(in_port) : default_port(false, pop3, *in_tls);

  const char* secret = std::getenv(token_env ? token_env : password_env);
  if (!secret || !*secret)
    return usage(token_env ? "no token: set the --oauth2-token-env variable"
                           : "no password: set the --password-env variable");
  Credentials credentials;
  credentials.user = user ? user : config.email;
  credentials.secret = secret;
  credentials.is_token = token_env != nullptr;
  // With a token, XOAUTH2 unless told otherwise: what every OAuth2 mail provider takes.
  if (!mechanism && credentials.is_token) mechanism = Mechanism::xoauth2;
  config.smtp.credentials = credentials;
  config.incoming.credentials = credentials;
  config.smtp.mechanism = config.incoming.mechanism = mechanism;

  tool::catch_stop_signals();
  RunResult result = run(config);
  for (const StepRecord& step : result.report.steps) {
    print(1, "%s %-22s %8.1f ms  ", step.ok ? "ok  " : "FAIL", step.name.c_str(), step.ms);
    put(1, step.detail);
    put(1, "\n");
  }
  for (const std::string& warning : result.report.warnings) {
    put(1, "warning: ");
    put(1, warning);
    put(1, "\n");
  }
  const Error& e = result.report.error;
  if (e) {
    print(1, "FAIL %s [%s]%s%s: ", std::string(category_name(e.category)).c_str(), e.code.c_str(),
          e.step.empty() ? "" : " at ", e.step.c_str());
    put(1, e.detail);
    if (!e.server_says.empty()) {
      put(1, "\n  server says: ");
      put(1, e.server_says);
    }
    if (!e.cause.empty()) {
      put(1, "\n  cause: ");
      put(1, e.cause);
    }
    if (!e.fix.empty()) {
      put(1, "\n  fix: ");
      put(1, e.fix);
    }
    put(1, "\n");
  } else {
    print(1, "PASS token %s, %.0f ms in all", result.token.c_str(), result.report.total_ms);
    if (result.delivery_ms) print(1, ", delivered in %.0f ms", *result.delivery_ms);
    put(1, "\n");
  }
  return tool::exit_code_for(e);
}
