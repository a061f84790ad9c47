// SPDX-License-Identifier: Apache-2.0
// The command line's own promises against the real Postfix + Dovecot: --json is one valid JSON
// document (checked by python3's json module, an independent parser), --nagios follows the
// monitoring-plugins format and exit codes, secrets come from commands, ~/.netrc and separate
// SMTP identities, and a password never appears in any output.
#include <doctest/doctest.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "tests/integration/stack.hpp"

namespace mv::test {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> args_without_secret() {
  std::vector<std::string> args{"--email", stack().get("MAILSTACK_USER1")};
  const std::vector<std::string> server = stack_server_args();
  args.insert(args.end(), server.begin(), server.end());
  return args;
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> env_args() {
  return with(args_without_secret(), {"--password-env", "MV_TEST_PASSWORD"});
}

std::string good_password() {
  return "MV_TEST_PASSWORD=" + stack().get("MAILSTACK_PASS1");
}

// Runs python3's json module over the text: "valid" plus the facts asked for, or the parse error.
std::string python_json_facts(const std::string& json, const std::string& expression) {
  char dir_tmpl[] = "/tmp/mv-json-XXXXXX";
  REQUIRE(::mkdtemp(dir_tmpl) != nullptr);
  const fs::path dir = dir_tmpl;
  std::ofstream(dir / "doc.json", std::ios::binary) << json;
  std::ofstream(dir / "facts.py") << "import json, sys\n"
                                     "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
                                     "print("
                                  << expression << ")\n";
  const std::string cmd =
      "python3 " + (dir / "facts.py").string() + " " + (dir / "doc.json").string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  ::pclose(p);
  std::error_code ec;
  fs::remove_all(dir, ec);
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out;
}

// $HOME for the spawned tool: run_tool appends to the inherited environment, where the first
// HOME wins, so the test process's own HOME is switched for the duration.
struct HomeSwitch {
  std::string old;
  explicit HomeSwitch(const fs::path& home) {
    if (const char* h = std::getenv("HOME")) old = h;
    ::setenv("HOME", home.c_str(), 1);
  }
  ~HomeSwitch() { ::setenv("HOME", old.c_str(), 1); }
};

const std::regex kPluginLine(
    R"(^MAILVERIFY (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+( \| [A-Za-z0-9_.]+=-?[0-9.]+s?(;[0-9.:~@-]*){0,4}( [A-Za-z0-9_.]+=-?[0-9.]+s?(;[0-9.:~@-]*){0,4})*)?\n$)");

struct TempHome {
  fs::path dir;
  TempHome() {
    char tmpl[] = "/tmp/mv-ihome-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
  }
  ~TempHome() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

TEST_CASE("integration/tool: --json is one valid document saying ok with every step") {
  ToolRun run = run_tool(with(env_args(), {"--json"}), {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 0);
  CHECK(python_json_facts(run.out,
                          "d['schema_version'], d['tool'], d['ok'], d['error'], d['exit_code'], "
                          "d['settings']['smtp']['port'], d['settings']['incoming']['protocol'], "
                          "len(d['token']), d['delivery_ms'] >= 0, d['total_ms'] > 0") ==
        "1 verify-roundtrip True None 0 " + stack().get("MAILSTACK_SMTP_SUBMISSION_PORT") +
            " imap 20 True True");
  CHECK(python_json_facts(run.out,
                          "len(d['steps']) > 10, all(s['ok'] for s in d['steps']), "
                          "sorted(set(s['name'] for s in d['steps']) & {'smtp.auth', 'imap.auth', "
                          "'imap.verify'})") ==
        "True True ['imap.auth', 'imap.verify', 'smtp.auth']");
  // Nothing but the document on stdout.
  CHECK(run.out.front() == '{');
  CHECK(run.out.find('\n') == run.out.size() - 1);
}

TEST_CASE("integration/tool: --json for a failure and for a usage error") {
  ToolRun bad =
      run_tool(with(env_args(), {"--json", "--send-only"}), {"MV_TEST_PASSWORD=wrong-pw"});
  INFO(bad.all());
  CHECK(bad.exit_code == 5);
  CHECK(python_json_facts(bad.out,
                          "d['ok'], d['error']['category'], d['error']['step'], "
                          "bool(d['error']['cause']), d['exit_code']") ==
        "False auth smtp.auth True 5");

  ToolRun usage = run_tool({"--json", "--email", "a@example.org"});
  CHECK(usage.exit_code == 2);
  CHECK(python_json_facts(usage.out, "d['ok'], d['error']['category'], d['exit_code']") ==
        "False usage 2");
}

TEST_CASE("integration/tool: --version names the build and its TLS library; JSON carries it") {
  ToolRun v = run_tool({"--version"});
  INFO(v.all());
  CHECK(v.exit_code == 0);
  CHECK(v.out.rfind("verify-roundtrip ", 0) == 0);
  // "(Mbed TLS 3.6.6)" by default; 2.28 spells it "(mbed TLS 2.28.3)".
  CHECK((v.out.find("(Mbed TLS ") != std::string::npos ||
         v.out.find("(mbed TLS ") != std::string::npos));
  CHECK(v.out.find('\n') == v.out.size() - 1);
  // The same version in the JSON document, even for a usage error.
  ToolRun usage = run_tool({"--json", "--email", "a@example.org"});
  const std::string version = python_json_facts(usage.out, "d['tool_version']");
  CHECK_FALSE(version.empty());
  CHECK(v.out.find("verify-roundtrip " + version + " (") == 0);
}

TEST_CASE("integration/tool: SIGINT while waiting for a message ends at once: exit 130") {
  // A token no message carries: the run would wait the whole --delivery-timeout.
  const std::vector<std::string> wait_args =
      with(env_args(),
           {"--receive-only", "--find-token", "NoSuchToken0123", "--delivery-timeout", "30"});
  ToolRun run = run_tool(wait_args, {good_password()}, {SIGINT, 800});
  INFO(run.all());
  CHECK(run.exit_code == 130);
  CHECK(run.end_ms < 800 + 1500);  // not the 30 s of the delivery timeout
  CHECK(run.out.find("STOPPED at imap.arrival: interrupted by SIGINT") != std::string::npos);
  CHECK(run.out.find("imap.logout") != std::string::npos);  // logged out, not dropped

  ToolRun nagios = run_tool(with(wait_args, {"--nagios"}), {good_password()}, {SIGTERM, 800});
  INFO(nagios.all());
  CHECK(nagios.exit_code == 3);
  CHECK(nagios.out.rfind("MAILVERIFY UNKNOWN", 0) == 0);
  CHECK(nagios.out.find("SIGTERM") != std::string::npos);
}

TEST_CASE("integration/tool: --nagios OK line with perfdata, exit 0") {
  ToolRun run = run_tool(with(env_args(), {"--nagios", "--warning", "20", "--critical", "40"}),
                         {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 0);
  CHECK(std::regex_match(run.out, kPluginLine));
  CHECK(run.out.rfind("MAILVERIFY OK - ", 0) == 0);
  for (const char* label : {" smtp=", " imap=", " delivery=", " total=", " cert_days="})
    CHECK_MESSAGE(run.out.find(label) != std::string::npos, label);
  CHECK(std::regex_search(run.out, std::regex(" total=[0-9.]+s;20;40;0 ")));
}

TEST_CASE("integration/tool: --nagios thresholds and failures: WARNING 1, CRITICAL 2, UNKNOWN 3") {
  // The stack's certificate expires in about 29 days: a 400-day warning trips, 1 day does not.
  ToolRun cert = run_tool(with(env_args(), {"--nagios", "--send-only", "--cert-warning", "400",
                                            "--cert-critical", "1"}),
                          {good_password()});
  INFO(cert.all());
  CHECK(cert.exit_code == 1);
  CHECK(cert.out.rfind("MAILVERIFY WARNING - ", 0) == 0);
  CHECK(std::regex_match(cert.out, kPluginLine));

  const std::string canary = "Canary-Nagios-5d1c";
  ToolRun bad = run_tool(with(env_args(), {"--nagios"}), {"MV_TEST_PASSWORD=" + canary});
  INFO(bad.all());
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.rfind("MAILVERIFY CRITICAL - ", 0) == 0);
  CHECK(bad.out.find("auth") != std::string::npos);
  CHECK(std::regex_match(bad.out, kPluginLine));
  CHECK(bad.all().find(canary) == std::string::npos);

  ToolRun usage = run_tool({"--nagios", "--email", "a@example.org"});
  CHECK(usage.exit_code == 3);
  CHECK(usage.out.rfind("MAILVERIFY UNKNOWN - ", 0) == 0);
  CHECK(std::regex_match(usage.out, kPluginLine));
}

TEST_CASE("integration/tool: --password-cmd and --smtp-password-cmd supply the secret") {
  ToolRun run = run_tool(with(args_without_secret(),
                              {"--send-only", "--password-cmd", "printf %s \"$MV_TEST_PASSWORD\""}),
                         {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("PASS") != std::string::npos);

  ToolRun failing = run_tool(
      with(args_without_secret(), {"--password-cmd", "printf %s \"$MV_TEST_PASSWORD\"; exit 7"}),
      {good_password()});
  INFO(failing.all());
  CHECK(failing.exit_code == 2);
  CHECK(failing.err.find("exit status 7") != std::string::npos);
  CHECK(failing.all().find(stack().get("MAILSTACK_PASS1")) == std::string::npos);
}

TEST_CASE("integration/tool: SMTP's own identity is used for SMTP only") {
  // The shared secret is wrong, SMTP's own is right: submission succeeds.
  ToolRun own_ok =
      run_tool(with(args_without_secret(), {"--send-only", "--password-env", "MV_WRONG",
                                            "--smtp-password-env", "MV_TEST_PASSWORD"}),
               {good_password(), "MV_WRONG=Canary-Wrong-11"});
  INFO(own_ok.all());
  CHECK(own_ok.exit_code == 0);
  CHECK(own_ok.out.find("PASS") != std::string::npos);
  // The shared secret is right, SMTP's own is wrong: submission is refused.
  ToolRun own_bad =
      run_tool(with(args_without_secret(), {"--send-only", "--password-env", "MV_TEST_PASSWORD",
                                            "--smtp-password-env", "MV_WRONG"}),
               {good_password(), "MV_WRONG=Canary-Wrong-11"});
  INFO(own_bad.all());
  CHECK(own_bad.exit_code == 5);
  CHECK(own_bad.out.find("[smtp.auth_failed]") != std::string::npos);
  CHECK((own_ok.all() + own_bad.all()).find("Canary-Wrong-11") == std::string::npos);
}

TEST_CASE("integration/tool: ~/.netrc supplies the password when no source is named") {
  TempHome home;
  const Stack& s = stack();
  {
    std::ofstream netrc(home.dir / ".netrc");
    netrc << "machine " << s.get("MAILSTACK_TLS_NAME") << "\n  login " << s.get("MAILSTACK_USER1")
          << "\n  password \"" << s.get("MAILSTACK_PASS1") << "\"\n";
  }
  fs::permissions(home.dir / ".netrc", fs::perms::owner_read | fs::perms::owner_write);
  ToolRun run = [&] {
    HomeSwitch switched(home.dir);
    return run_tool(args_without_secret());
  }();
  INFO(run.all());
  CHECK(run.exit_code == 0);
  CHECK(run.all().find(s.get("MAILSTACK_PASS1")) == std::string::npos);

  TempHome empty;
  ToolRun none = [&] {
    HomeSwitch switched(empty.dir);
    return run_tool(args_without_secret());
  }();
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no password") != std::string::npos);
}

TEST_CASE("integration/tool: --trace shows each session's state changes by name") {
  TempHome dir;
  const std::string trace = (dir.dir / "trace").string();
  ToolRun run =
      run_tool(with(env_args(), {"--stop-after", "auth", "--trace", trace}), {good_password()});
  INFO(run.all());
  REQUIRE(run.exit_code == 0);
  std::ifstream in(trace);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO(text);
  // SMTP on 587: STARTTLS, the pause for the handshake, EHLO again, AUTH, QUIT (nothing sent).
  for (const char* change :
       {"state greeting -> ehlo", "state ehlo -> starttls", "state starttls -> tls_handshake",
        "state tls_handshake -> ehlo", "state ehlo -> auth", "state auth -> quit"}) {
    CHECK(text.find(change) != std::string::npos);
  }
  // IMAPS: Dovecot's greeting carries SASL-IR and AUTH=PLAIN.
  CHECK(text.find("state greeting -> authenticate") != std::string::npos);
}

TEST_CASE("integration/tool: a canary password never appears in any output format") {
  const std::string canary = "Canary-Every-Format-93b1";
  const std::string canary_env = "MV_TEST_PASSWORD=" + canary;
  std::vector<std::vector<std::string>> variants = {
      with(env_args(), {}),
      with(env_args(), {"--json"}),
      with(env_args(), {"--nagios"}),
      with(env_args(),
           {"--receive", "pop3", "--pop3-port", stack().get("MAILSTACK_POP3S_PORT"), "--json"}),
      with(args_without_secret(), {"--password-cmd", "printf %s \"$MV_TEST_PASSWORD\"", "--json"}),
      with(args_without_secret(), {"--password", canary, "--nagios"}),
      with(args_without_secret(),
           {"--password-env", "MV_TEST_PASSWORD", "--smtp-user", "x", "--trace", "/dev/null"}),
  };
  for (const auto& args : variants) {
    ToolRun run = run_tool(args, {canary_env});
    INFO(run.all());
    CHECK(run.exit_code != 0);
    CHECK(run.all().find(canary) == std::string::npos);
  }
}

}  // namespace mv::test
