// SPDX-License-Identifier: Apache-2.0
// --accounts against the real Postfix + Dovecot: three accounts in one process (alice with the
// command line's password, bob with his own per-line --password-env, carol with a wrong one), one
// line or JSON object each, the highest exit code, no secret in any output, and the runs really
// overlapping in time: the batch takes less than its runs one after another would.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/integration/stack.hpp"
#include "tests/support/loopback_listener.hpp"

namespace mv::test {

namespace {

namespace fs = std::filesystem;

const std::string kWrongPassword = "Wrong-Accounts-9f3e";

struct AccountsFile {
  fs::path dir;
  std::string path;
  AccountsFile() {
    char tmpl[] = "/tmp/mv-accounts-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    path = (dir / "accounts").string();
    const Stack& s = stack();
    std::ofstream(path) << "# alice logs in with the command line's password\n"
                        << "--email " << s.get("MAILSTACK_USER1") << "\n\n"
                        << "--email \"" << s.get("MAILSTACK_USER2")
                        << "\" --password-env MAILSTACK_PASS2\n"
                        << "--email " << s.get("MAILSTACK_USER3")
                        << " --password-env MV_ACCOUNTS_WRONG\n";
  }
  ~AccountsFile() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

std::vector<std::string> defaults() {
  std::vector<std::string> args = stack_server_args();
  args.insert(args.end(), {"--password-env", "MV_TEST_PASSWORD"});
  return args;
}

std::vector<std::string> secrets_env() {
  const Stack& s = stack();
  return {"MV_TEST_PASSWORD=" + s.get("MAILSTACK_PASS1"),
          "MAILSTACK_PASS2=" + s.get("MAILSTACK_PASS2"), "MV_ACCOUNTS_WRONG=" + kWrongPassword};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

void check_no_secret(const ToolRun& run) {
  const Stack& s = stack();
  for (const std::string& secret :
       {s.get("MAILSTACK_PASS1"), s.get("MAILSTACK_PASS2"), kWrongPassword})
    CHECK(run.all().find(secret) == std::string::npos);
}

struct Timed {
  ToolRun run;
  double wall_ms = 0;
};

Timed timed_run(const std::vector<std::string>& args) {
  const auto start = std::chrono::steady_clock::now();
  Timed t{run_tool(args, secrets_env()), 0};
  t.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return t;
}

// The JSON Lines of a batch: each object's email, ok, exit code and total_ms, in order.
struct JsonLine {
  std::string email;
  bool ok = false;
  int exit_code = -1;
  double total_ms = 0;
  std::string token;
};

std::vector<JsonLine> json_lines(const std::string& out) {
  static const std::regex kFacts(
      R"re(^\{"schema_version":1,"tool":"verify-roundtrip","tool_version":"[0-9.]+","ok":(true|false),"name":(?:null|"[^"]*"),"email":"([^"]+)".*"token":"([A-Za-z0-9]+)".*"total_ms":([0-9.]+),"steps":.*"exit_code":([0-9]+)\}$)re");
  std::vector<JsonLine> result;
  for (const std::string& line : lines_of(out)) {
    std::smatch m;
    INFO(line);
    REQUIRE(std::regex_match(line, m, kFacts));
    result.push_back({m[2], m[1] == "true", std::stoi(m[5]), std::stod(m[4]), m[3]});
  }
  return result;
}

}  // namespace

TEST_CASE("integration/accounts: three accounts, one line each, the highest exit code") {
  AccountsFile file;
  const Stack& s = stack();
  std::vector<std::string> args = defaults();
  args.insert(args.end(), {"--accounts", file.path});
  ToolRun run = run_tool(args, secrets_env());
  INFO(run.all());
  CHECK(run.exit_code == 5);  // carol's authentication failed
  const std::vector<std::string> lines = lines_of(run.out);
  REQUIRE(lines.size() == 3);
  const std::regex ok_line(R"(^OK [^ ]+ [0-9.]+ ms$)");
  CHECK(std::regex_match(lines[0], ok_line));
  CHECK(lines[0].find(" " + s.get("MAILSTACK_USER1") + " ") != std::string::npos);
  CHECK(std::regex_match(lines[1], ok_line));
  CHECK(lines[1].find(" " + s.get("MAILSTACK_USER2") + " ") != std::string::npos);
  CHECK(lines[2].rfind("FAIL " + s.get("MAILSTACK_USER3") + " ", 0) == 0);
  CHECK(lines[2].find(" ms smtp.auth_failed: ") != std::string::npos);
  check_no_secret(run);

  args.push_back("--nagios");
  ToolRun nagios = run_tool(args, secrets_env());
  INFO(nagios.all());
  CHECK(nagios.exit_code == 2);
  CHECK(std::regex_match(
      nagios.out,
      std::regex(
          R"(^MAILVERIFY CRITICAL - 1 of 3 accounts failed: [^|\n]+ \| accounts_ok=2;;;0;3 accounts_failed=1;;;0;3 total=[0-9.]+s;;;0\n\| '[^'\n]+ total'=[0-9.]+s;;;0 [^\n]+\n'[^'\n]+ total'=[^\n]+\n'[^'\n]+ total'=[^\n]+ ok'=0;;;0;1 [^\n]+\n$)")));
  CHECK(nagios.out.find(s.get("MAILSTACK_USER3") + " (smtp.auth: smtp.auth_failed)") !=
        std::string::npos);
  check_no_secret(nagios);
}

TEST_CASE("integration/accounts: the runs overlap in one loop (JSON Lines, timed)") {
  AccountsFile file;
  std::vector<std::string> args = defaults();
  args.insert(args.end(), {"--accounts", file.path, "--json"});

  // Baselines, for the record: one account alone, and the batch one account at a time. Serial
  // runs cannot overlap: the batch's wall time is at least the sum of its runs' own times.
  std::vector<std::string> single_args = defaults();
  single_args.insert(single_args.end(), {"--email", stack().get("MAILSTACK_USER1")});
  const Timed single = timed_run(single_args);
  REQUIRE(single.run.exit_code == 0);
  std::vector<std::string> serial_args = args;
  serial_args.insert(serial_args.end(), {"--concurrency", "1"});
  const Timed serial = timed_run(serial_args);
  REQUIRE(serial.run.exit_code == 5);
  double serial_sum = 0;
  for (const JsonLine& j : json_lines(serial.run.out))
    serial_sum += j.total_ms;
  CHECK(serial.wall_ms >= serial_sum);

  // Concurrent: each run's own total counts the time it shared the loop with the others, so
  // the sum of totals exceeds the wall time. Asserted: at least half of the time of all but the
  // longest run overlapped it (wall < longest + (sum - longest) / 2). Serial runs can never pass
  // this (wall >= sum), whatever the machine's speed; a loaded machine only stretches all runs.
  // A fixed ratio to a single run (e.g. 2.5x) is not used: on two shared cores the TLS
  // handshakes make the batch CPU-bound, so the wall time need not shrink while the runs overlap.
  bool overlapped = false;
  for (int attempt = 0; attempt < 3 && !overlapped; ++attempt) {
    const Timed batch = timed_run(args);
    INFO(batch.run.all());
    REQUIRE(batch.run.exit_code == 5);
    check_no_secret(batch.run);
    const std::vector<JsonLine> lines = json_lines(batch.run.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].email == stack().get("MAILSTACK_USER1"));
    CHECK(lines[1].email == stack().get("MAILSTACK_USER2"));
    CHECK(lines[2].email == stack().get("MAILSTACK_USER3"));
    CHECK((lines[0].ok && lines[1].ok && !lines[2].ok));
    CHECK((lines[0].exit_code == 0 && lines[1].exit_code == 0 && lines[2].exit_code == 5));
    CHECK(std::set<std::string>{lines[0].token, lines[1].token, lines[2].token}.size() == 3);
    double sum = 0, longest = 0;
    for (const JsonLine& j : lines) {
      sum += j.total_ms;
      longest = std::max(longest, j.total_ms);
    }
    MESSAGE("single " << single.wall_ms << " ms; serial batch " << serial.wall_ms << " ms (runs "
                      << serial_sum << " ms); concurrent batch " << batch.wall_ms << " ms (runs "
                      << sum << " ms, longest " << longest << " ms)");
    overlapped = batch.wall_ms < longest + (sum - longest) / 2;
  }
  CHECK(overlapped);
}

TEST_CASE("integration/accounts: each line is printed once it and those before it are done") {
  // A server that accepts connections and never says a word (the kernel completes the handshake
  // for a socket that is never accept()ed): the account sent there fails after its --timeout.
  LoopbackListener silent(8);

  char tmpl[] = "/tmp/mv-accounts-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const fs::path dir = tmpl;
  const std::string path = (dir / "accounts").string();
  const Stack& s = stack();
  std::ofstream(path) << "--email " << s.get("MAILSTACK_USER1") << "\n"
                      << "--email " << s.get("MAILSTACK_USER2")
                      << " --password-env MAILSTACK_PASS2 --smtp-port " << silent.port
                      << " --timeout 3\n";
  std::vector<std::string> args = defaults();
  args.insert(args.end(), {"--accounts", path});
  const ToolRun run = run_tool(args, secrets_env());
  silent.close();
  fs::remove_all(dir);

  INFO(run.all());
  CHECK(run.exit_code == 3);  // the silent server: a network failure
  const std::vector<std::string> lines = lines_of(run.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find(s.get("MAILSTACK_USER1")) != std::string::npos);
  CHECK(lines[1].find(s.get("MAILSTACK_USER2")) != std::string::npos);
  // alice's line came out while bob's run still waited for its greeting (3 s).
  CHECK(run.first_out_ms >= 0);
  CHECK(run.end_ms - run.first_out_ms > 1500);
}

}  // namespace mv::test
