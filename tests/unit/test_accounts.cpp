// SPDX-License-Identifier: Apache-2.0
// --accounts without spawning the tool: splitting a line into words (quotes), which lines count,
// how a line's options replace the command line's defaults (secret sources as one group), the
// options a line may not give, and whole files read into accounts with their secrets.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "engine/run.hpp"
#include "tools/accounts.hpp"
#include "tools/human_output.hpp"
#include "tools/nagios_output.hpp"

namespace mv::tool {

namespace {

std::vector<std::string> split(std::string_view line) {
  std::vector<std::string> words;
  std::string error;
  REQUIRE(split_words(line, words, error));
  return words;
}

std::vector<std::string> merge(const std::vector<std::string>& defaults,
                               const std::vector<std::string>& line) {
  std::vector<std::string> merged;
  std::string error;
  INFO(error);
  REQUIRE(merge_account_args(defaults, line, merged, error));
  return merged;
}

using Words = std::vector<std::string>;

// An accounts file in a fresh directory, removed afterwards.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char tmpl[] = "/tmp/mv-accounts-XXXXXX";
    int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = tmpl;
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("accounts: words split as sh does: quotes, backslashes, comments") {
  CHECK(split("--email a@example.org  --user\tbob") ==
        Words{"--email", "a@example.org", "--user", "bob"});
  CHECK(split("  --password-cmd \"pass show mail/a b\"  ") ==
        Words{"--password-cmd", "pass show mail/a b"});
  CHECK(split(R"(--x "say \"hi\" \\ now")") == Words{"--x", R"(say "hi" \ now)"});
  CHECK(split(R"(a"b c"d "")") == Words{"ab cd", ""});
  CHECK(split(R"(a\ b\"c \\d)") == Words{"a b\"c", "\\d"});  // outside quotes: escapes the next
  CHECK(split(R"(--password-cmd 'pass show "x" \n $HOME')") ==
        Words{"--password-cmd", R"(pass show "x" \n $HOME)"});  // single quotes keep everything
  CHECK(split(R"(--x "a \$b \n" 'it'\''s')") == Words{"--x", R"(a $b \n)", "it's"});
  CHECK(split("--email a@x.org # the rest is a comment") == Words{"--email", "a@x.org"});
  CHECK(split("--x a#b") == Words{"--x", "a#b"});  // # inside a word is a character
  CHECK(split("").empty());
  CHECK(split(" \t\r").empty());

  std::vector<std::string> words;
  std::string error;
  CHECK_FALSE(split_words("--password-cmd \"echo x", words, error));
  CHECK(error == "unterminated double quote");
  CHECK_FALSE(split_words("--password-cmd 'echo x", words, error));
  CHECK(error == "unterminated single quote");
  CHECK_FALSE(split_words("--user x\\", words, error));
  CHECK(error.find("backslash at the end") != std::string::npos);
}

TEST_CASE("accounts: blank lines and # comments are skipped, line numbers kept") {
  std::string error;
  auto lines = parse_accounts(
      "# accounts\n\n--email a@x.org\r\n   # indented comment\n"
      "  --email b@x.org --user \"b x\"\n\t\n--email c@x.org",
      error);
  CHECK(error.empty());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].number == 3);
  CHECK(lines[0].words == Words{"--email", "a@x.org"});
  CHECK(lines[1].number == 5);
  CHECK(lines[1].words == Words{"--email", "b@x.org", "--user", "b x"});
  CHECK(lines[2].number == 7);

  CHECK(parse_accounts("--email a@x.org\n--email \"b@x.org\n", error).empty());
  CHECK(error == "line 2: unterminated double quote");
  error.clear();
  CHECK(parse_accounts("# nothing\n\n", error).empty());
  CHECK(error.empty());
}

TEST_CASE("accounts: an optional name per line; anything else is an error with its line") {
  std::string error;
  auto lines = parse_accounts(
      "alice: --email a@x.org\n'Bob Smith': --email b@x.org\n--email c@x.org\n", error);
  CHECK(error.empty());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].name == "alice");
  CHECK(lines[0].words == Words{"--email", "a@x.org"});
  CHECK(lines[1].name == "Bob Smith");
  CHECK(lines[2].name.empty());
  CHECK(parse_accounts("--email a@x.org\nalice --email b@x.org\n", error).empty());
  CHECK(error == "line 2: expected [NAME:] --option value ..., found \"alice\"");
  CHECK(parse_accounts("\n\nalice:\n", error).empty());
  CHECK(error.rfind("line 3: expected [NAME:]", 0) == 0);
}

TEST_CASE("accounts: a line's options replace the defaults of the same name") {
  const Words defaults{"verify-roundtrip",
                       "--host",
                       "mail.example.org",
                       "--imap-port=1993",
                       "--cafile",
                       "/ca.pem",
                       "-4",
                       "--keep"};
  CHECK(merge(defaults, {"--email", "a@example.org"}) ==
        Words{"verify-roundtrip", "--host", "mail.example.org", "--imap-port=1993", "--cafile",
              "/ca.pem", "-4", "--keep", "--email", "a@example.org"});
  // Replaced whichever way either side spells it: "--x v", "--x=v", short and long names.
  CHECK(merge(defaults,
              {"--email", "a@x.org", "--host=other.example", "--imap-port", "993", "--ipv4"}) ==
        Words{"verify-roundtrip", "--cafile", "/ca.pem", "--keep", "--email", "a@x.org",
              "--host=other.example", "--imap-port", "993", "--ipv4"});
  // -6 replaces -4 (they exclude each other), --receive-only replaces --send-only.
  CHECK(merge({"vr", "-4", "--send-only"}, {"-6", "--receive-only"}) ==
        Words{"vr", "-6", "--receive-only"});
}

TEST_CASE("accounts: a line naming a secret source replaces the default source") {
  const Words defaults{"vr", "--password-env", "MAIN_PW", "--smtp-password-file", "/s", "--keep"};
  CHECK(merge(defaults, {"--email", "a@x.org"}) == Words{"vr", "--password-env", "MAIN_PW",
                                                         "--smtp-password-file", "/s", "--keep",
                                                         "--email", "a@x.org"});
  CHECK(merge(defaults, {"--password-cmd", "pass show b"}) ==
        Words{"vr", "--smtp-password-file", "/s", "--keep", "--password-cmd", "pass show b"});
  CHECK(merge(defaults, {"--oauth2-token-env", "TOKEN"}) ==
        Words{"vr", "--smtp-password-file", "/s", "--keep", "--oauth2-token-env", "TOKEN"});
  CHECK(merge(defaults, {"--smtp-password-env", "S"}) ==
        Words{"vr", "--password-env", "MAIN_PW", "--keep", "--smtp-password-env", "S"});
  CHECK(merge(defaults, {"--smtp-oauth2-token-env", "T"}) ==
        Words{"vr", "--password-env", "MAIN_PW", "--keep", "--smtp-oauth2-token-env", "T"});
  // A value that looks like an option stays the value of its option.
  CHECK(merge({"vr", "--password-env", "PW"}, {"--password-cmd", "--weird"}) ==
        Words{"vr", "--password-cmd", "--weird"});
}

TEST_CASE("accounts: options of the whole run are refused in a line") {
  for (const char* option : {"--json", "--nagios", "--accounts", "--concurrency", "--no-color",
                             "--help", "--list-providers"}) {
    std::vector<std::string> merged;
    std::string error;
    CHECK_FALSE(merge_account_args({"vr"}, {"--email", "a@x.org", option, "x"}, merged, error));
    CHECK_MESSAGE(error.find(std::string(option) + " concerns the whole run") == 0, option);
  }
}

TEST_CASE("accounts: the command line with --accounts keeps the rest as defaults") {
  CommandLine cl = parse_command_line({"vr", "--accounts", "/tmp/a.txt", "--cafile", "/ca.pem",
                                       "--concurrency=3", "--json", "--password-env", "PW"});
  INFO(cl.text);
  REQUIRE(cl.action == Action::run_accounts);
  CHECK(cl.accounts.file == "/tmp/a.txt");
  CHECK(cl.accounts.concurrency == 3);
  CHECK(cl.accounts.defaults ==
        Words{"vr", "--cafile", "/ca.pem", "--json", "--password-env", "PW"});
  CHECK(cl.options.format == OutputFormat::json);

  CHECK(parse_command_line({"vr", "--accounts", "a.txt"}).accounts.concurrency == 8);
  CHECK(parse_command_line({"vr", "--accounts", "a", "--concurrency", "0"}).action ==
        Action::usage_error);
  CHECK(parse_command_line({"vr", "--accounts", "a", "--trace", "t"}).action ==
        Action::usage_error);
  CHECK(parse_command_line({"vr", "--accounts", "a", "--json", "--nagios"}).action ==
        Action::usage_error);
  CommandLine alone = parse_command_line({"vr", "--email", "a@x.org", "--concurrency", "2"});
  CHECK(alone.action == Action::usage_error);
  CHECK(alone.text == "--concurrency goes with --accounts");
}

TEST_CASE("accounts: a file becomes accounts with their own secrets, never printed") {
  ::setenv("MV_UNIT_ACCOUNTS_PW1", "Secret-One-8c1", 1);
  ::setenv("MV_UNIT_ACCOUNTS_PW2", "Secret-Two-52e", 1);
  TempFile file(
      "# two accounts\n"
      "--email a@example.org\n"
      "--email b@example.org --password-env MV_UNIT_ACCOUNTS_PW2 --receive pop3\n");
  AccountsRequest request{file.path, 4,
                          Words{"vr", "--host", "mail.example.org", "--password-env",
                                "MV_UNIT_ACCOUNTS_PW1", "--provider", "none"}};
  std::vector<Account> accounts;
  const std::string err = prepare_accounts(request, accounts);
  INFO(err);
  REQUIRE(err.empty());
  REQUIRE(accounts.size() == 2);
  const RunConfig& a = accounts[0].options.config;
  CHECK(a.email == "a@example.org");
  CHECK(a.smtp.endpoint.host == "mail.example.org");
  REQUIRE(a.incoming.credentials);
  CHECK(a.incoming.credentials->secret == "Secret-One-8c1");
  const RunConfig& b = accounts[1].options.config;
  CHECK(b.receive == Receive::pop3);
  CHECK(b.incoming.endpoint.port == 995);
  REQUIRE(b.smtp.credentials);
  CHECK(b.smtp.credentials->secret == "Secret-Two-52e");
  CHECK(b.incoming.credentials->user == "b@example.org");

  // Errors name the file, the line and the source, never a secret.
  TempFile bad("--email a@example.org\n--email c@example.org --password-env MV_UNIT_NOT_SET\n");
  request.file = bad.path;
  ::unsetenv("MV_UNIT_NOT_SET");
  const std::string missing = prepare_accounts(request, accounts);
  CHECK(missing.find(bad.path + ", line 2: c@example.org: ") != std::string::npos);
  CHECK(missing.find("MV_UNIT_NOT_SET") != std::string::npos);
  CHECK(missing.find("Secret-") == std::string::npos);

  TempFile named(
      "work: --email a@example.org --password-cmd 'printf %s Secret-Three-7f0'\n"
      "home: --email a@example.org --receive pop3\n");
  request.file = named.path;
  REQUIRE(prepare_accounts(request, accounts).empty());
  REQUIRE(accounts.size() == 2);
  CHECK(accounts[0].options.name == "work");
  CHECK(accounts[0].options.config.incoming.credentials->secret == "Secret-Three-7f0");
  CHECK(accounts[1].options.name == "home");
  TempFile twice("--email a@example.org\n--email a@example.org --receive pop3\n");
  request.file = twice.path;
  const std::string same = prepare_accounts(request, accounts);
  CHECK(same.find(", line 2: \"a@example.org\" already names the account of line 1") !=
        std::string::npos);

  TempFile usage("--email a@example.org --imap-port nope\n");
  request.file = usage.path;
  CHECK(prepare_accounts(request, accounts).find(", line 1: ") != std::string::npos);
  TempFile peer("--email a@example.org --peer-email b@example.org\n");
  request.file = peer.path;
  CHECK(prepare_accounts(request, accounts).find("--peer-email is for one account at a time") !=
        std::string::npos);
  TempFile empty("# none yet\n");
  request.file = empty.path;
  CHECK(prepare_accounts(request, accounts).find("no accounts") != std::string::npos);
  request.file = "/nonexistent/mv-accounts";
  CHECK(prepare_accounts(request, accounts).find("cannot read it") != std::string::npos);

  // The file is bounded by Limits::max_accounts_file: its own size passes, one byte less not.
  const std::string one = "--email a@example.org --password-env MV_UNIT_ACCOUNTS_PW1\n";
  TempFile sized(one);
  request.file = sized.path;
  Limits limits;
  limits.max_accounts_file = one.size();
  CHECK(prepare_accounts(request, accounts, limits).empty());
  limits.max_accounts_file = one.size() - 1;
  CHECK(prepare_accounts(request, accounts, limits) ==
        "--accounts " + sized.path + ": larger than " + std::to_string(one.size() - 1) + " bytes");
  ::unsetenv("MV_UNIT_ACCOUNTS_PW1");
  ::unsetenv("MV_UNIT_ACCOUNTS_PW2");
}

TEST_CASE("accounts: one human line per account, one nagios line for all") {
  RunConfig a, b;
  a.email = "a@example.org";
  b.email = "b@example.org";
  RunResult ok, failed;
  ok.report.total_ms = 66.4;
  failed.report.total_ms = 20.2;
  failed.report.error = make_error(ErrorKind::auth_failed, Protocol::smtp,
                                   "the server refused AUTH PLAIN (535)\r\nsecond line");
  failed.report.error.step = "smtp.auth";
  CHECK(account_line(a.email, ok.report) == "OK a@example.org 66 ms");
  CHECK(account_line("bob's", failed.report) ==
        "FAIL bob's 20 ms smtp.auth_failed: the server refused AUTH PLAIN (535)  second line");

  const NagiosThresholds none;
  NagiosVerdict all_ok =
      render_nagios_accounts({{a, ok, none, "alice"}, {b, ok, none, "b@example.org"}}, 80.25);
  CHECK(all_ok.exit_code == kNagiosOk);
  CHECK(all_ok.line ==
        "MAILVERIFY OK - all 2 accounts passed in 80 ms | accounts_ok=2;;;0;2 "
        "accounts_failed=0;;;0;2 total=0.08025s;;;0\n"
        "| 'alice total'=0.0664s;;;0 'alice ok'=1;;;0;1\n"
        "'b@example.org total'=0.0664s;;;0 'b@example.org ok'=1;;;0;1");
  NagiosVerdict one_failed =
      render_nagios_accounts({{a, ok, none, "a@example.org"}, {b, failed, none, "b"}}, 90);
  CHECK(one_failed.exit_code == kNagiosCritical);
  CHECK(one_failed.line.rfind(
            "MAILVERIFY CRITICAL - 1 of 2 accounts failed: b (smtp.auth: smtp.auth_failed) in 90 "
            "ms | accounts_ok=1;;;0;2 accounts_failed=1;;;0;2 total=0.09s;;;0\n",
            0) == 0);
  CHECK(one_failed.line.find("\n'b total'=0.0202s;;;0 'b ok'=0;;;0;1") != std::string::npos);
  RunResult warned = ok;
  warned.report.warnings.push_back("no Junk folder found on the server");
  warned.delivery_ms = 12.5;
  warned.report.tls.push_back({"smtp", "TLSv1.2", "X", "", "", 9, true});
  NagiosThresholds t;
  std::string error;
  t.warning = parse_range("~:5", error);
  NagiosVerdict warning =
      render_nagios_accounts({{a, warned, t, "a@example.org"}, {b, ok, none, "b"}}, 70, true);
  INFO(warning.line);
  CHECK(warning.exit_code == kNagiosWarning);
  CHECK(warning.line.rfind("MAILVERIFY WARNING - warnings: a@example.org in 70 ms | ", 0) == 0);
  // -v: one line per account (its own status and words), then the per-account perfdata.
  CHECK(warning.line.find("\na@example.org: MAILVERIFY WARNING - a@example.org: no Junk folder") !=
        std::string::npos);
  CHECK(warning.line.find("\nb: MAILVERIFY OK - ") != std::string::npos);
  CHECK(warning.line.find("\n| 'a@example.org total'=0.0664s;~:5;;0 'a@example.org delivery'="
                          "0.0125s;;;0 'a@example.org ok'=1;;;0;1 'a@example.org cert_days'=9;14:;"
                          "\n'b total'=") != std::string::npos);
}

TEST_CASE("accounts: run_many runs every config in one loop, results in input order") {
  // No server needed: a refused connection (port 1) and a CA file that does not exist fail each
  // in its own way, alternately, whatever order the runs finish in.
  std::vector<RunConfig> configs(7);
  for (std::size_t i = 0; i < configs.size(); ++i) {
    RunConfig& c = configs[i];
    c.email = "user" + std::to_string(i) + "@example.org";
    c.smtp.endpoint = {"127.0.0.1", 1, TlsMode::starttls, Family::ipv4, "", ""};
    c.read_back = false;
    c.probe_ports = false;
    if (i % 2) c.tls.ca_file = "/nonexistent/mv-ca.pem";
  }
  for (std::size_t max : {1u, 3u, 100u}) {
    const std::vector<RunResult> results = run_many(configs, max);
    REQUIRE(results.size() == configs.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      INFO("max " << max << ", run " << i << ": " << results[i].report.error.code);
      if (i % 2) {
        CHECK(results[i].report.steps.empty());  // failed before connecting
        CHECK(results[i].report.error.category != Category::network);
      } else {
        CHECK(results[i].report.error.code == "net.refused");
        CHECK(results[i].report.error.step == "smtp.connect");
      }
    }
  }
  CHECK(run_many({}, 4).empty());
}

}  // namespace mv::tool
