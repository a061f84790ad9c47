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
  // No preset and no host: settings discovery finds the servers (issue 12).
  CHECK(parse_ok({"--email", "me@gmail.com", "--provider", "none", "--password-env", "X"})
            .discovery.needed);
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

TEST_CASE("options: without a preset a host or discovery is needed; the standard ports apply") {
  ToolOptions o =
      parse_ok({"--email", "a@example.org", "--host", "mail.example.org", "--password-env", "X"});
  CHECK(o.preset == nullptr);
  CHECK(o.config.smtp.endpoint.port == 587);
  CHECK(o.config.incoming.endpoint.port == 993);
  CHECK(parse_ok({"--email", "a@example.org", "--password-env", "X"}).discovery.needed);
  CHECK_FALSE(o.discovery.needed);
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
  CHECK(contains(parse_error(with({"--nagios", "--critical", "5:1"})), "start of a range"));
  CHECK(contains(parse_error(with({"--nagios", "--cert-warning", "-1"})),
                 "--cert-warning takes a whole number from 0"));
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
  REQUIRE(o.thresholds.warning);
  CHECK(o.thresholds.warning->text() == "2.5");
  CHECK(o.thresholds.critical->text() == "10");
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

TEST_CASE("options: host literals as users type them; -4/-6 must agree with them") {
  const std::vector<std::string> base = {"--email", "a@example.org", "--password-env", "X"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return more;
  };
  for (const char* typed : {"[::1]", "::1", "[IPv6:::1]"}) {
    const ToolOptions o = parse_ok(with({"--host", typed}));
    CHECK(o.config.smtp.endpoint.host == "::1");
    CHECK(o.config.incoming.endpoint.host == "::1");
  }
  CHECK(parse_ok(with({"--host", "[192.0.2.1]"})).config.smtp.endpoint.host == "192.0.2.1");
  CHECK(parse_ok(with({"-6", "--host", "[::1]"})).config.smtp.endpoint.family == Family::ipv6);
  CHECK(parse_error(with({"-6", "--host", "127.0.0.1"})) ==
        "-6 contradicts --host 127.0.0.1, an IPv4 address");
  CHECK(parse_error(with({"-4", "--imap-host", "[::1]", "--smtp-host", "h"})) ==
        "-4 contradicts --imap-host [::1], an IPv6 address");
  const std::string with_port = parse_error(with({"--host", "mail.example.org:587"}));
  CHECK(contains(with_port, "neither a host name nor an IP address"));
  CHECK(contains(with_port, "--smtp-port"));
  CHECK(contains(parse_error(with({"--host", "[mail.example.org]"})), "neither"));
}

TEST_CASE("options: non-ASCII domains become A-labels; the local part stays as typed") {
  const ToolOptions o = parse_ok({"--email", "j\u00FCrgen@B\u00FCcher.example", "--host",
                                  "mail.b\u00FCcher.example", "--password-env", "X"});
  CHECK(o.config.email == "j\u00FCrgen@xn--bcher-kva.example");
  CHECK(o.config.smtp.endpoint.host == "mail.xn--bcher-kva.example");
  CHECK(contains(parse_error({"--email", "a@b\u00FCcher..example", "--host", "h"}), "empty label"));
  CHECK(contains(parse_error({"--email", "a@example.org", "--host", "a\u00A0b.example"}),
                 "no valid host name"));
  CHECK(contains(parse_error({"--email", "@example.org", "--host", "h"}), "no local part"));
}

}  // namespace mv::tool

namespace mv::tool {
TEST_CASE("options: --cert-warning sets the run's expiry warning, with or without --nagios") {
  CHECK(parse_ok({"--email", "me@gmail.com", "--password-env", "X"}).config.cert_warning_days ==
        14);
  CHECK(parse_ok({"--email", "me@gmail.com", "--password-env", "X", "--cert-warning", "40"})
            .config.cert_warning_days == 40);
}
TEST_CASE("options: host literals as users type them; -4/-6 must agree with them") {
  const std::vector<std::string> base = {"--email", "a@example.org", "--password-env", "X"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return more;
  };
  for (const char* typed : {"[::1]", "::1", "[IPv6:::1]"}) {
    const ToolOptions o = parse_ok(with({"--host", typed}));
    CHECK(o.config.smtp.endpoint.host == "::1");
    CHECK(o.config.incoming.endpoint.host == "::1");
  }
  CHECK(parse_ok(with({"--host", "[192.0.2.1]"})).config.smtp.endpoint.host == "192.0.2.1");
  CHECK(parse_ok(with({"-6", "--host", "[::1]"})).config.smtp.endpoint.family == Family::ipv6);
  CHECK(parse_error(with({"-6", "--host", "127.0.0.1"})) ==
        "-6 contradicts --host 127.0.0.1, an IPv4 address");
  CHECK(parse_error(with({"-4", "--imap-host", "[::1]", "--smtp-host", "h"})) ==
        "-4 contradicts --imap-host [::1], an IPv6 address");
  const std::string with_port = parse_error(with({"--host", "mail.example.org:587"}));
  CHECK(contains(with_port, "neither a host name nor an IP address"));
  CHECK(contains(with_port, "--smtp-port"));
  CHECK(contains(parse_error(with({"--host", "[mail.example.org]"})), "neither"));
}

TEST_CASE("options: non-ASCII domains become A-labels; the local part stays as typed") {
  const ToolOptions o = parse_ok({"--email", "j\u00FCrgen@B\u00FCcher.example", "--host",
                                  "mail.b\u00FCcher.example", "--password-env", "X"});
  CHECK(o.config.email == "j\u00FCrgen@xn--bcher-kva.example");
  CHECK(o.config.smtp.endpoint.host == "mail.xn--bcher-kva.example");
  CHECK(contains(parse_error({"--email", "a@b\u00FCcher..example", "--host", "h"}), "empty label"));
  CHECK(contains(parse_error({"--email", "a@example.org", "--host", "a\u00A0b.example"}),
                 "no valid host name"));
  CHECK(contains(parse_error({"--email", "@example.org", "--host", "h"}), "no local part"));
}

}  // namespace mv::tool

namespace mv::tool {

TEST_CASE(
    "options: --peer-email takes the --peer- twins of the login options and inherits the "
    "shared ones") {
  const ToolOptions o =
      parse_ok({"--email", "a@example.org", "--password-env", "A", "--host", "mail.example.org",
                "--imap-port", "1993", "--cafile", "ca.pem", "-4", "--peer-email", "b@example.org",
                "--peer-password-env", "B", "--peer-receive", "pop3", "--peer-user=bob"});
  REQUIRE(o.peer);
  const ToolOptions& p = *o.peer;
  CHECK(p.config.email == "b@example.org");
  CHECK(p.login.sources.env_var == "B");
  CHECK(p.login.user == "bob");
  CHECK(p.config.receive == Receive::pop3);
  CHECK(p.config.smtp.endpoint.host == "mail.example.org");  // the account's servers
  CHECK(p.config.incoming.endpoint.port == 995);             // POP3's own default
  CHECK(p.config.tls.ca_file == "ca.pem");
  CHECK(p.config.smtp.endpoint.family == Family::ipv4);
  CHECK(o.login.sources.env_var == "A");  // the account keeps its own
  CHECK(o.config.incoming.endpoint.port == 1993);
  // A peer at a known provider takes its preset, not the account's servers.
  const ToolOptions g =
      parse_ok({"--email", "a@example.org", "--password-env", "A", "--host", "mail.example.org",
                "--peer-email", "b@gmail.com", "--peer-password-env", "B"});
  CHECK(g.peer->config.smtp.endpoint.host == "smtp.gmail.com");
}

TEST_CASE("options: --peer- mistakes are usage errors") {
  const std::vector<std::string> base = {"--email", "a@example.org", "--password-env",
                                         "A",       "--host",        "h"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return more;
  };
  CHECK(contains(parse_error(with({"--peer-password-env", "B"})), "need --peer-email"));
  CHECK(contains(parse_error(with({"--peer-email", "b@x.org", "--peer-json"})), "--peer-json"));
  CHECK(contains(parse_error(with({"--peer-email", "A@example.org"})), "another account"));
  CHECK(contains(parse_error(with({"--peer-email", "b@x.org", "--send-only"})), "--send-only"));
  CHECK(contains(parse_error(with({"--peer-email", "b@x.org", "--peer-host", "[::1"})),
                 "the peer account"));
}

}  // namespace mv::tool

namespace mv::tool {

TEST_CASE("options: the monitoring plugins' short options and ranges") {
  ToolOptions o =
      parse_ok({"--email", "a@example.org", "-H", "mail.example.org", "--nagios", "-w", "5:10",
                "-c", "@10:20", "--delivery-warning", "~:3", "--delivery-critical", "30:", "-t",
                "12.5", "-v", "--password-env", "X"});
  CHECK(o.config.smtp.endpoint.host == "mail.example.org");
  CHECK(o.config.incoming.endpoint.host == "mail.example.org");
  REQUIRE(o.thresholds.warning);
  CHECK(o.thresholds.warning->alerts(4.9));
  CHECK_FALSE(o.thresholds.warning->alerts(7));
  CHECK(o.thresholds.warning->alerts(10.1));
  CHECK(o.thresholds.critical->alerts(15));
  CHECK_FALSE(o.thresholds.critical->alerts(21));
  CHECK(o.thresholds.delivery_warning->alerts(3.5));
  CHECK(o.thresholds.delivery_critical->alerts(29));
  REQUIRE(o.deadline);
  CHECK(*o.deadline == 12500);
  CHECK(o.thresholds.deadline_state == kNagiosCritical);
  CHECK(o.verbose == 1);
  CHECK(parse({"-V"}).action == Action::version);
  CHECK(parse_ok({"--email", "a@example.org", "-H", "h", "-t", "10:UNKNOWN", "--password-env", "X"})
            .thresholds.deadline_state == kNagiosUnknown);
  CHECK(parse_ok({"--email", "a@example.org", "-H", "h", "-t", "10:1", "--password-env", "X"})
            .thresholds.deadline_state == kNagiosWarning);
}

TEST_CASE("options: numbers are read strictly: a trailing character is a usage error") {
  const std::vector<std::string> base = {"--email", "a@example.org", "-H", "h", "--nagios"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  for (const auto& bad : std::vector<std::vector<std::string>>{{"-w", "5abc"},
                                                               {"-w", "5:10x"},
                                                               {"-w", "10:5"},
                                                               {"-w", ""},
                                                               {"-c", "@"},
                                                               {"-c", "1e3"},
                                                               {"-w", "0x10"},
                                                               {"-w", "5 "},
                                                               {"-w", "nan"},
                                                               {"-w", "~"},
                                                               {"--imap-port", "993x"},
                                                               {"--imap-port", "0"},
                                                               {"--imap-port", "65536"},
                                                               {"--smtp-port", "-1"},
                                                               {"--timeout", "3s"},
                                                               {"--connect-timeout", "1.5"},
                                                               {"--delivery-timeout", ""},
                                                               {"--body-size", "10k"},
                                                               {"--cert-warning", "14d"},
                                                               {"--cert-critical", "-1"},
                                                               {"-t", "10s"},
                                                               {"-t", "0"},
                                                               {"-t", "10:MAYBE"},
                                                               {"--color", "sometimes"},
                                                               {"--name", ""}}) {
    CAPTURE(bad[0]);
    CAPTURE(bad[1]);
    const std::string error = parse_error(with(bad));
    CHECK(!error.empty());
  }
  CHECK(contains(parse_error(with({"-w", "5abc"})), "\"5abc\" is not a range"));
  CHECK(contains(parse_error(with({"--imap-port", "993x"})), "--imap-port takes a whole number"));
  CHECK(parse({"--accounts", "f", "--concurrency", "8x"}).action == Action::usage_error);
  CHECK(parse({"--accounts", "f", "--concurrency", "8"}).action == Action::run_accounts);
}

TEST_CASE("options: --color, --no-color, --name and --prometheus") {
  const std::vector<std::string> base = {"--email", "a@example.org", "-H", "h"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  CHECK(parse_ok(with({})).color == ColorChoice::automatic);
  CHECK(parse_ok(with({"--color=always"})).color == ColorChoice::always);
  CHECK(parse_ok(with({"--color", "never"})).color == ColorChoice::never);
  CHECK(parse_ok(with({"--no-color"})).color == ColorChoice::never);
  CHECK(contains(parse_error(with({"--no-color", "--color=always"})), "exclude"));
  CHECK(parse_ok(with({"--name", "Alice's box"})).name == "Alice's box");
  CHECK(parse_ok(with({"--prometheus", "/tmp/x.prom"})).prometheus_file == "/tmp/x.prom");
  CommandLine many = parse({"--accounts", "f", "--prometheus", "/tmp/m.prom", "-t", "9", "-v"});
  REQUIRE(many.action == Action::run_accounts);
  CHECK(many.options.prometheus_file == "/tmp/m.prom");
  CHECK(many.options.deadline == 9000);
  CHECK(many.options.verbose == 1);
}

}  // namespace mv::tool

namespace mv::tool {

TEST_CASE("options: TLS mode words from setup guides, in any case") {
  for (const char* word : {"SSL", "ssl/tls", "SSL/TLS", "Implicit", "implicit"}) {
    INFO(word);
    ToolOptions o = parse_ok({"--email", "me@example.com", "--host", "mail.example.com",
                              "--smtp-tls", word, "--imap-tls", word});
    CHECK(o.config.smtp.endpoint.tls == TlsMode::implicit);
    CHECK(o.config.smtp.endpoint.port == 465);
    CHECK(o.config.incoming.endpoint.tls == TlsMode::implicit);
  }
  for (const char* word : {"STARTTLS", "explicit", "Explicit", "StartTLS"}) {
    INFO(word);
    ToolOptions o = parse_ok({"--email", "me@example.com", "--host", "mail.example.com",
                              "--smtp-tls", word, "--imap-tls", word});
    CHECK(o.config.smtp.endpoint.tls == TlsMode::starttls);
    CHECK(o.config.smtp.endpoint.port == 587);
    CHECK(o.config.incoming.endpoint.tls == TlsMode::starttls);
    CHECK(o.config.incoming.endpoint.port == 143);
  }
}

TEST_CASE("options: a bare TLS follows the port's convention with a note, or is refused") {
  // Outlook's dialogs say "TLS" for STARTTLS on 587.
  ToolOptions o = parse_ok({"--email", "me@example.com", "--host", "mail.example.com", "--smtp-tls",
                            "TLS", "--smtp-port", "587"});
  CHECK(o.config.smtp.endpoint.tls == TlsMode::starttls);
  CHECK(o.config.smtp.endpoint.port == 587);  // never moved
  bool noted = false;
  for (const std::string& w : o.warnings)
    noted = noted || (contains(w, "--smtp-tls TLS read as starttls") && contains(w, "587"));
  CHECK(noted);
  ToolOptions imaps = parse_ok({"--email", "me@example.com", "--host", "mail.example.com",
                                "--imap-tls", "tls", "--imap-port", "993"});
  CHECK(imaps.config.incoming.endpoint.tls == TlsMode::implicit);
  CHECK(imaps.config.incoming.endpoint.port == 993);
  // No port, or one without a convention: the user chooses.
  const std::string e1 =
      parse_error({"--email", "me@example.com", "--host", "mail.example.com", "--smtp-tls", "TLS"});
  CHECK(contains(e1, "ambiguous"));
  CHECK(contains(e1, "--smtp-tls implicit"));
  CHECK(contains(e1, "--smtp-tls starttls"));
  const std::string e2 = parse_error({"--email", "me@example.com", "--host", "mail.example.com",
                                      "--smtp-tls", "TLS", "--smtp-port", "2525"});
  CHECK(contains(e2, "2525"));
  CHECK(contains(parse_error({"--email", "me@example.com", "--host", "mail.example.com",
                              "--smtp-tls", "tls1.2"}),
                 "starttls"));
}

TEST_CASE("options: --resolve pins HOST:PORT to addresses, as curl's") {
  ToolOptions o = parse_ok({"--email", "me@contoso.com", "--host", "mail.contoso.com", "--resolve",
                            "mail.contoso.com:587:192.0.2.7", "--resolve",
                            "MAIL.contoso.com:993:[2001:db8::1],192.0.2.8"});
  CHECK(o.config.smtp.endpoint.host == "mail.contoso.com");  // still the certificate's name
  CHECK(o.config.smtp.endpoint.address == "192.0.2.7");
  CHECK(o.config.incoming.endpoint.host == "mail.contoso.com");
  CHECK(o.config.incoming.endpoint.address == "2001:db8::1,192.0.2.8");
  // Another port or host: no pin. "*" pins every host on that port.
  ToolOptions other =
      parse_ok({"--email", "me@contoso.com", "--host", "mail.contoso.com", "--resolve",
                "mail.contoso.com:465:192.0.2.7", "--resolve", "other.example:993:192.0.2.9"});
  CHECK(other.config.smtp.endpoint.address.empty());
  CHECK(other.config.incoming.endpoint.address.empty());
  ToolOptions any = parse_ok(
      {"--email", "me@contoso.com", "--host", "mail.contoso.com", "--resolve", "*:993:127.0.0.1"});
  CHECK(any.config.incoming.endpoint.address == "127.0.0.1");
  // The first use for a HOST:PORT wins.
  ToolOptions twice = parse_ok({"--email", "me@contoso.com", "--host", "h.example", "--resolve",
                                "h.example:993:192.0.2.1", "--resolve", "h.example:993:192.0.2.2"});
  CHECK(twice.config.incoming.endpoint.address == "192.0.2.1");
  CHECK(contains(parse_error({"--email", "me@contoso.com", "--host", "h.example", "--resolve",
                              "h.example:993:not-an-address"}),
                 "not an IPv4 or IPv6 address"));
  CHECK(contains(parse_error({"--email", "me@contoso.com", "--host", "h.example", "--resolve",
                              "h.example:192.0.2.1"}),
                 "HOST:PORT:ADDRESS"));
}

TEST_CASE("options: --connect-to sends HOST1:PORT1 to HOST2:PORT2, as curl's") {
  ToolOptions o =
      parse_ok({"--email", "me@contoso.com", "--host", "mail.contoso.com", "--connect-to",
                "mail.contoso.com:587:relay.example:2525", "--connect-to", "::[::1]:"});
  CHECK(o.config.smtp.endpoint.host == "mail.contoso.com");  // still the certificate's name
  CHECK(o.config.smtp.endpoint.address == "relay.example");
  CHECK(o.config.smtp.endpoint.port == 587);
  CHECK(o.config.smtp.endpoint.connect_port == 2525);
  // The second applies to any host and port, keeping the port: only the host changes.
  CHECK(o.config.incoming.endpoint.address == "::1");
  CHECK(o.config.incoming.endpoint.connect_port == 0);
  // --resolve applies to where the connection goes.
  ToolOptions pinned = parse_ok({"--email", "me@contoso.com", "--host", "mail.contoso.com",
                                 "--connect-to", "mail.contoso.com:993:imap.example:1993",
                                 "--resolve", "imap.example:1993:192.0.2.5"});
  CHECK(pinned.config.incoming.endpoint.address == "192.0.2.5");
  CHECK(pinned.config.incoming.endpoint.connect_port == 1993);
  CHECK(contains(parse_error({"--email", "me@contoso.com", "--host", "h.example", "--connect-to",
                              "h.example:993:other"}),
                 "HOST1:PORT1:HOST2:PORT2"));
  CHECK(contains(parse_error({"--email", "me@contoso.com", "--host", "h.example", "--connect-to",
                              "h.example:99999:other:1"}),
                 "bad port"));
}

TEST_CASE("options: a --user without domain is warned about before connecting") {
  ToolOptions o = parse_ok({"--email", "alice@example.com", "--host", "mail.example.com", "--user",
                            "alice", "--password-env", "X"});
  bool warned = false;
  for (const std::string& w : o.warnings)
    warned = warned || (contains(w, "\"alice\" has no domain") && contains(w, "alice@example.com"));
  CHECK(warned);
  ToolOptions full = parse_ok({"--email", "alice@example.com", "--host", "mail.example.com",
                               "--user", "alice@example.com", "--password-env", "X"});
  for (const std::string& w : full.warnings)
    CHECK_FALSE(contains(w, "no domain"));
}

}  // namespace mv::tool
