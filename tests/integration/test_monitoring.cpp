// SPDX-License-Identifier: Apache-2.0
// The monitoring contract against the real Postfix + Dovecot: every --json document (a pass, a dry
// run, a usage error, each failure category the stack can produce: network, tls, auth, policy,
// delivery, interrupted, the -t deadline; --accounts) validates
// against the published schema/verify-roundtrip.schema.json (scripts/validate-json.py, with
// Debian's python3-jsonschema); -t ends the run in time, cleanly (LOGOUT on the wire) and with
// the status the guidelines ask for; the step markers follow the locale.
#include <doctest/doctest.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/integration/stack.hpp"

namespace mv::test {

namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path dir;
  TempDir() {
    char tmpl[] = "/tmp/mv-monitoring-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// An environment variable of the test process (which the spawned tool inherits) for a while.
struct EnvSwitch {
  std::string name, old;
  bool had = false;
  EnvSwitch(std::string n, const char* value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) {
      old = v;
      had = true;
    }
    if (value)
      ::setenv(name.c_str(), value, 1);
    else
      ::unsetenv(name.c_str());
  }
  ~EnvSwitch() {
    if (had)
      ::setenv(name.c_str(), old.c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
};

std::vector<std::string> account(std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--email", stack().get("MAILSTACK_USER1"), "--password-env",
                                "MV_TEST_PASSWORD"};
  const std::vector<std::string> server = stack_server_args();
  args.insert(args.end(), server.begin(), server.end());
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string password_env() {
  return "MV_TEST_PASSWORD=" + stack().get("MAILSTACK_PASS1");
}

std::string run_command(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  ::pclose(p);
  return out;
}

// scripts/validate-json.py over these files: "valid N", or each problem.
std::string validate(const std::vector<fs::path>& files) {
  std::string cmd = "python3 " MV_SOURCE_DIR "/scripts/validate-json.py";
  for (const fs::path& f : files)
    cmd += " " + f.string();
  std::string out = run_command(cmd + " 2>&1");
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out;
}

// A fact from a document (its first line), by a Python expression over d.
std::string fact(const fs::path& file, const std::string& expression) {
  const fs::path script = file.string() + ".py";
  std::ofstream(script) << "import json, sys\n"
                           "d = json.loads(open(sys.argv[1], encoding='utf-8').readline())\n"
                           "print("
                        << expression << ")\n";
  std::string out = run_command("python3 " + script.string() + " " + file.string() + " 2>&1");
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("integration/monitoring: every kind of --json document validates against the schema") {
  TempDir t;
  std::vector<fs::path> files;
  auto keep = [&](const std::string& name, const ToolRun& run, int exit_code) {
    INFO(name << ": " << run.all());
    CHECK(run.exit_code == exit_code);
    files.push_back(t.dir / (name + ".json"));
    std::ofstream(files.back(), std::ios::binary) << run.out;
    return files.back();
  };
  const std::string smtp_port = stack().get("MAILSTACK_SMTP_SUBMISSION_PORT");

  const fs::path pass =
      keep("pass", run_tool(account({"--json", "--name", "alice"}), {password_env()}), 0);
  const fs::path dry =
      keep("dry", run_tool(account({"--json", "--stop-after", "auth"}), {password_env()}), 0);
  keep("usage", run_tool(account({"--json", "--imap-port", "993x"}), {password_env()}), 2);
  const fs::path auth =
      keep("auth", run_tool(account({"--json"}), {"MV_TEST_PASSWORD=not-the-password"}), 5);
  std::vector<std::string> no_ca = account({"--json"});
  for (std::size_t i = 0; i + 1 < no_ca.size(); ++i)
    if (no_ca[i] == "--cafile") no_ca.erase(no_ca.begin() + i, no_ca.begin() + i + 2);
  keep("tls", run_tool(no_ca, {password_env()}), 4);
  keep(
      "network",
      run_tool(account({"--json", "--smtp-port", "1", "--connect-timeout", "2"}), {password_env()}),
      3);
  const fs::path delivery = keep("delivery",
                                 run_tool(account({"--json", "--receive-only", "--find-token",
                                                   "NoSuchToken0", "--delivery-timeout", "1"}),
                                          {password_env()}),
                                 7);
  const fs::path deadline = keep(
      "deadline",
      run_tool(account({"--json", "--receive-only", "--find-token", "NoSuchToken0", "-t", "1.5"}),
               {password_env()}),
      3);
  // The password command's sleep is the subject, not a synchronisation: a command that outlives
  // the -t deadline.
  keep("deadline-last-words",
       run_tool({"--json", "--email", stack().get("MAILSTACK_USER1"), "--host", "127.0.0.1",
                 "--password-cmd", "exec 2>/dev/null; sleep 5", "-t", "1"}),
       3);
  keep("policy",
       run_tool(account({"--json", "--smtp-port", stack().get("MAILSTACK_SMTP_PORT"), "--smtp-tls",
                         "none"}),
                {password_env()}),
       6);
  keep("interrupted",
       run_tool(account({"--json", "--receive-only", "--find-token", "NoSuchToken0"}),
                {password_env()}, {SIGINT, 400}),
       130);
  std::ofstream(t.dir / "accounts")
      << "alice: --email " << stack().get("MAILSTACK_USER1") << "\n'Bob B': --email "
      << stack().get("MAILSTACK_USER2") << " --password-env MV_TEST_PASSWORD2\n";
  std::vector<std::string> many{"--json", "--accounts", (t.dir / "accounts").string(),
                                "--password-env", "MV_TEST_PASSWORD"};
  for (const std::string& a : stack_server_args())
    many.push_back(a);
  keep("accounts",
       run_tool(many, {password_env(), "MV_TEST_PASSWORD2=" + stack().get("MAILSTACK_PASS2")}), 0);

  CHECK(validate(files) == "valid " + std::to_string(files.size() + 1));  // JSON Lines: 2
  // The new fields, and the rule for what is absent.
  CHECK(fact(pass,
             "d['name'], d['started_at'][:2], d['started_at'][-1], len(d['message_id']) > "
             "5, len(d['body_digest']) > 5, d['queue_id'] is not None") ==
        "alice 20 Z True True True");
  CHECK(fact(pass,
             "sorted(p['session'] for p in d['peers'])[0], d['peers'][0]['address'], "
             "d['peers'][0]['port'] in (" +
                 smtp_port + ", " + stack().get("MAILSTACK_IMAPS_PORT") +
                 "), all(t['not_after'][:2] == '20' for t in d['tls'])") ==
        "imap 127.0.0.1 True True");
  CHECK(fact(dry, "d['token'], d['message_id'], d['queue_id'], d['delivery_ms']") ==
        "None None None None");
  CHECK(fact(auth, "d['error']['category'], d['error']['server_says'] is not None") == "auth True");
  CHECK(fact(delivery, "d['error']['code'], d['token']") == "roundtrip.not_delivered NoSuchToken0");
  CHECK(fact(deadline, "d['error']['category'], d['error']['code'], d['total_ms'] < 1500") ==
        "network run.deadline True");
}

TEST_CASE("integration/monitoring: -t is one deadline for the whole run, ended cleanly") {
  TempDir t;
  const fs::path trace = t.dir / "trace.log";
  // Waiting for a message that never comes: the deadline, not --delivery-timeout, ends it, a
  // little before -t (the reserve for cleaning up), with LOGOUT sent; CRITICAL by default.
  ToolRun critical = run_tool(account({"--nagios", "--receive-only", "--find-token", "NoSuchToken0",
                                       "-t", "2", "--trace", trace.string()}),
                              {password_env()});
  INFO(critical.all());
  CHECK(critical.exit_code == 2);
  CHECK(critical.out.rfind("MAILVERIFY CRITICAL - ", 0) == 0);
  CHECK(critical.out.find("[run.deadline]") != std::string::npos);
  CHECK(critical.end_ms < 2000);
  CHECK(critical.end_ms > 1000);
  std::ifstream in(trace);
  const std::string wire((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(wire.find("LOGOUT") != std::string::npos);

  // -t SECONDS:STATE, as the plugins' --timeout takes it.
  ToolRun unknown = run_tool(
      account({"--nagios", "--receive-only", "--find-token", "NoSuchToken0", "-t", "1:UNKNOWN"}),
      {password_env()});
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.out.rfind("MAILVERIFY UNKNOWN - ", 0) == 0);

  // Something that does not stop when asked (here the password command, whose sleep outlives the
  // deadline on purpose: not a synchronisation): at the deadline itself the process prints its
  // last words and ends with the deadline's status.
  ToolRun hard = run_tool({"--nagios", "--email", stack().get("MAILSTACK_USER1"), "--host",
                           "127.0.0.1", "--password-cmd", "exec 2>/dev/null; sleep 5", "-t", "1"});
  INFO(hard.all());
  CHECK(hard.exit_code == 2);
  CHECK(hard.out.rfind("MAILVERIFY CRITICAL - the deadline of 1 s passed", 0) == 0);
  CHECK(hard.first_out_ms < 2500);
}

TEST_CASE("integration/monitoring: step markers are ASCII outside a UTF-8 locale; no colour") {
  EnvSwitch all("LC_ALL", "C");
  EnvSwitch lang("LANG", nullptr);
  ToolRun ascii = run_tool(account({"--stop-after", "auth", "--color=never"}), {password_env()});
  INFO(ascii.all());
  CHECK(ascii.exit_code == 0);
  CHECK(ascii.out.find("  + smtp.connect") != std::string::npos);
  CHECK(ascii.out.find("✓") == std::string::npos);
  CHECK(ascii.out.find('\033') == std::string::npos);
  EnvSwitch utf8("LC_ALL", "C.UTF-8");
  ToolRun marks = run_tool(account({"--stop-after", "auth", "--color=always"}), {password_env()});
  CHECK(marks.out.find("✓\033[0m smtp.connect") != std::string::npos);
  EnvSwitch no_color("NO_COLOR", "1");
  ToolRun plain = run_tool(account({"--stop-after", "auth"}), {password_env()});
  CHECK(plain.out.find('\033') == std::string::npos);
}

}  // namespace mv::test
