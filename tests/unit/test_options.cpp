// SPDX-License-Identifier: Apache-2.0
// The command line without spawning the tool: presets under explicit options, conflicts, the
// output format, thresholds and the separate SMTP identity.
#include <doctest/doctest.h>

#include "tools/options.hpp"

namespace mv::tool {

namespace {

CommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "verify-roundtrip");
  return parse_command_line(args);
}

ToolOptions parse_ok(std::vector<std::string> args) {
  CommandLine cl = parse(std::move(args));
  INFO(cl.text);
  REQUIRE(cl.action == Action::run);
  return cl.options;
}

std::string parse_error(std::vector<std::string> args) {
  CommandLine cl = parse(std::move(args));
  CHECK(cl.action == Action::usage_error);
  CHECK(!cl.text.empty());
  return cl.text;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("options: --email at a known provider picks its settings") {
  ToolOptions o = parse_ok({"--email", "me@hotmail.co.uk", "--password-env", "X"});
  REQUIRE(o.preset != nullptr);
  CHECK(o.preset->name == "microsoft");
  CHECK(o.config.smtp.endpoint.host == "smtp-mail.outlook.com");
  CHECK(o.config.smtp.endpoint.port == 587);
  CHECK(o.config.smtp.endpoint.tls == TlsMode::starttls);
  CHECK(o.config.incoming.endpoint.host == "outlook.office365.com");
  CHECK(o.config.incoming.endpoint.port == 993);
  CHECK(o.config.incoming.endpoint.tls == TlsMode::implicit);

  ToolOptions pop = parse_ok({"--email", "me@live.fr", "--receive", "pop3", "--password-env", "X"});
  CHECK(pop.config.receive == Receive::pop3);
  CHECK(pop.config.incoming.endpoint.host == "outlook.office365.com");
  CHECK(pop.config.incoming.endpoint.port == 995);
}

TEST_CASE("options: explicit options override every preset value") {
  ToolOptions o = parse_ok({"--email", "me@gmail.com", "--smtp-host", "relay.example.com",
                            "--imap-port", "1993", "--password-env", "X"});
  CHECK(o.config.smtp.endpoint.host == "relay.example.com");
  CHECK(o.config.smtp.endpoint.port == 587);  // the preset's, not overridden
  CHECK(o.config.incoming.endpoint.host == "imap.gmail.com");
  CHECK(o.config.incoming.endpoint.port == 1993);

  // Another TLS mode takes the preset's alternative port, or the mode's standard one.
  ToolOptions implicit =
      parse_ok({"--email", "me@gmail.com", "--smtp-tls", "implicit", "--password-env", "X"});
  CHECK(implicit.config.smtp.endpoint.host == "smtp.gmail.com");
  CHECK(implicit.config.smtp.endpoint.port == 465);
  CHECK(implicit.config.smtp.endpoint.tls == TlsMode::implicit);
  ToolOptions st =
      parse_ok({"--email", "me@live.com", "--imap-tls", "starttls", "--password-env", "X"});
  CHECK(st.config.incoming.endpoint.port == 143);

  // --host is an explicit override of every host, but not of the preset's ports.
  ToolOptions host =
      parse_ok({"--email", "me@gmail.com", "--host", "localhost", "--password-env", "X"});
  CHECK(host.config.smtp.endpoint.host == "localhost");
  CHECK(host.config.incoming.endpoint.host == "localhost");
  CHECK(host.config.smtp.endpoint.port == 587);
}

TEST_CASE("options: --provider forces a preset, none disables it") {
  ToolOptions o =
      parse_ok({"--email", "me@contoso.com", "--provider", "office365", "--password-env", "X"});
  REQUIRE(o.preset != nullptr);
  CHECK(o.config.smtp.endpoint.host == "smtp.office365.com");
  CHECK(o.config.incoming.endpoint.host == "outlook.office365.com");
  CHECK(contains(
      parse_error({"--email", "me@gmail.com", "--provider", "none", "--password-env", "X"}),
      "--smtp-host"));
  CHECK(contains(parse_error({"--email", "me@x.org", "--provider", "nosuch"}), "nosuch"));
  CHECK(contains(
      parse_error({"--email", "me@icloud.com", "--receive", "pop3", "--password-env", "X"}),
      "no pop3"));
  CHECK(parse(std::vector<std::string>{"--list-providers"}).action == Action::list_providers);
}

TEST_CASE("options: a retired host name is accepted with a warning naming the current one") {
  ToolOptions o = parse_ok({"--email", "me@live.com", "--imap-host", "imap-mail.outlook.com",
                            "--smtp-host", "smtp.live.com", "--password-env", "X"});
  CHECK(o.config.incoming.endpoint.host == "imap-mail.outlook.com");
  REQUIRE(o.warnings.size() == 2);
  CHECK(contains(o.warnings[0], "smtp-mail.outlook.com"));
  CHECK(contains(o.warnings[1], "outlook.office365.com"));
}

TEST_CASE("options: without a preset the host is required and the standard ports apply") {
  ToolOptions o =
      parse_ok({"--email", "a@example.org", "--host", "mail.example.org", "--password-env", "X"});
  CHECK(o.preset == nullptr);
  CHECK(o.config.smtp.endpoint.port == 587);
  CHECK(o.config.incoming.endpoint.port == 993);
  CHECK(contains(parse_error({"--email", "a@example.org", "--password-env", "X"}), "--smtp-host"));
}

TEST_CASE("options: conflicts and bad values are usage errors") {
  const std::vector<std::string> base = {"--email", "a@example.org", "--host", "h"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  CHECK(contains(parse_error(with({"--json", "--nagios"})), "exclude"));
  CHECK(contains(parse_error(with({"--send-only", "--receive-only"})), "exclude"));
  CHECK(contains(parse_error(with({"-4", "-6"})), "exclude"));
  CHECK(contains(parse_error(with({"--password-env", "A", "--password-file", "f"})), "only one"));
  CHECK(
      contains(parse_error(with({"--password-cmd", "x", "--oauth2-token-cmd", "y"})), "only one"));
  CHECK(contains(parse_error(with({"--smtp-password-env", "A", "--smtp-password-cmd", "y"})),
                 "only one"));
  CHECK(contains(parse_error(with({"--warning", "5"})), "--nagios"));
  CHECK(contains(parse_error(with({"--nagios", "--critical", "0"})), "above 0"));
  CHECK(contains(parse_error(with({"--nagios", "--cert-warning", "-1"})), "days"));
  CHECK(contains(parse_error(with({"--smtp-tls", "maybe"})), "--smtp-tls"));
  CHECK(contains(parse_error(with({"--auth", "KERBEROS"})), "KERBEROS"));
  CHECK(contains(parse_error(with({"--no-auth", "--smtp-user", "u"})), "exclude"));
  CHECK(contains(parse_error(with({"--password-cmd", ""})), "empty"));
  CHECK(contains(parse_error(with({"--trace", ""})), "--trace"));
  CHECK(parse_error(with({"--smtp-port", "70000"})).size() > 0);
  CHECK(parse_error({"--host", "h"}) == "--email is required");
}

TEST_CASE("options: the output format is known even for a usage error") {
  CommandLine cl = parse({"--nagios", "--email"});
  CHECK(cl.action == Action::usage_error);
  CHECK(cl.options.format == OutputFormat::nagios);
  CHECK(parse({"--json", "--bogus"}).options.format == OutputFormat::json);
  ToolOptions o = parse_ok({"--email", "a@example.org", "--host", "h", "--nagios", "--warning",
                            "2.5", "--critical", "10", "--cert-warning", "30", "--cert-critical",
                            "7", "--trace", "/tmp/t.log"});
  CHECK(o.format == OutputFormat::nagios);
  CHECK(o.thresholds.warning_s == doctest::Approx(2.5));
  CHECK(o.thresholds.critical_s == doctest::Approx(10));
  CHECK(o.thresholds.cert_warning_days == 30);
  CHECK(o.thresholds.cert_critical_days == 7);
  CHECK(o.config.trace_path == "/tmp/t.log");
}

TEST_CASE("options: one identity for both sessions unless SMTP gets its own") {
  ToolOptions shared = parse_ok({"--email", "a@example.org", "--host", "h", "--user", "alice",
                                 "--password-cmd", "pass show mail"});
  CHECK(shared.login.user == "alice");
  CHECK(shared.login.sources.command == "pass show mail");
  CHECK(shared.login.sources.option == "--password-cmd");
  CHECK_FALSE(shared.login.is_token);
  CHECK_FALSE(shared.smtp_identity);

  ToolOptions own =
      parse_ok({"--email", "a@example.org", "--host", "h", "--user", "alice", "--password-env",
                "IMAP_PW", "--smtp-user", "relay", "--smtp-password-env", "SMTP_PW"});
  REQUIRE(own.smtp_identity);
  CHECK(own.smtp_identity->user == "relay");
  CHECK(own.smtp_identity->sources.env_var == "SMTP_PW");
  CHECK_FALSE(own.smtp_identity->shares_secret);
  CHECK(own.login.sources.env_var == "IMAP_PW");

  // Only the SMTP user differs: the shared secret serves both.
  ToolOptions user_only = parse_ok(
      {"--email", "a@example.org", "--host", "h", "--password-env", "PW", "--smtp-user", "relay"});
  REQUIRE(user_only.smtp_identity);
  CHECK(user_only.smtp_identity->shares_secret);
  CHECK(user_only.smtp_identity->sources.env_var == "PW");
  CHECK(user_only.login.user.empty());  // the account's address

  // Only the SMTP secret differs: SMTP keeps --user.
  ToolOptions secret_only = parse_ok(
      {"--email", "a@example.org", "--host", "h", "--user", "alice", "--smtp-password-cmd", "cmd"});
  REQUIRE(secret_only.smtp_identity);
  CHECK(secret_only.smtp_identity->user == "alice");
  CHECK(secret_only.smtp_identity->sources.command == "cmd");

  ToolOptions token =
      parse_ok({"--email", "a@example.org", "--host", "h", "--oauth2-token-cmd", "get-token"});
  CHECK(token.login.is_token);
  CHECK(token.login.sources.command == "get-token");

  // SMTP's own token, e.g. one with the SMTP.Send scope, from the environment like the main one.
  ToolOptions smtp_token =
      parse_ok({"--email", "a@example.org", "--host", "h", "--oauth2-token-env", "IMAP_TOKEN",
                "--smtp-oauth2-token-env", "SMTP_TOKEN"});
  REQUIRE(smtp_token.smtp_identity);
  CHECK(smtp_token.smtp_identity->is_token);
  CHECK(smtp_token.smtp_identity->sources.env_var == "SMTP_TOKEN");
  CHECK(smtp_token.smtp_identity->sources.option == "--smtp-oauth2-token-env");
  CHECK(smtp_token.login.sources.env_var == "IMAP_TOKEN");
  CHECK(contains(parse_error({"--email", "a@example.org", "--host", "h", "--smtp-oauth2-token-env",
                              "A", "--smtp-password-env", "B"}),
                 "only one"));
  CHECK(contains(parse_error({"--email", "a@example.org", "--host", "h", "--receive-only",
                              "--smtp-user", "x"}),
                 "--smtp-user"));
}

TEST_CASE("options: --version is an action of its own, even beside a run's options") {
  CHECK(parse({"--version"}).action == Action::version);
  CHECK(parse({"--email", "a@example.org", "--version"}).action == Action::version);
}

TEST_CASE("options: --help documents the exit codes and the new options") {
  CommandLine cl = parse(std::vector<std::string>{"--help"});
  REQUIRE(cl.action == Action::help);
  for (const char* s : {"Exit codes: 0 passed", "3 UNKNOWN", "--password-cmd", "--oauth2-token-cmd",
                        "--provider", "--json", "--nagios", "--trace", "--smtp-user"})
    CHECK_MESSAGE(contains(cl.text, s), s);
}

}  // namespace mv::tool

namespace mv::tool {
TEST_CASE("options: --cert-warning sets the run's expiry warning, with or without --nagios") {
  CHECK(parse_ok({"--email", "me@gmail.com", "--password-env", "X"}).config.cert_warning_days ==
        14);
  CHECK(parse_ok({"--email", "me@gmail.com", "--password-env", "X", "--cert-warning", "40"})
            .config.cert_warning_days == 40);
}
}  // namespace mv::tool
