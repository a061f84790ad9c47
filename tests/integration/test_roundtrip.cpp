// SPDX-License-Identifier: Apache-2.0
// The full round trip against the real Postfix + Dovecot: every SMTP × IMAP/POP3 combination,
// the devices and folders checks, and cleanup that removes only the run's own message.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "protocols/common/message.hpp"
#include "tests/integration/stack.hpp"

namespace mv::test {

namespace {

namespace fs = std::filesystem;

struct Combo {
  std::string smtp_tls, smtp_port_key, receive, in_tls, in_port_key;
};

std::vector<std::string> roundtrip_args(const Combo& c,
                                        const std::string& user_key = "MAILSTACK_USER1") {
  const Stack& s = stack();
  return {"--email",
          s.get(user_key),
          "--host",
          s.get("MAILSTACK_TLS_NAME"),
          "--smtp-tls",
          c.smtp_tls,
          "--smtp-port",
          s.get(c.smtp_port_key),
          "--receive",
          c.receive,
          "--" + c.receive + "-tls",
          c.in_tls,
          "--" + c.receive + "-port",
          s.get(c.in_port_key),
          "--cafile",
          s.get("MAILSTACK_CA"),
          "--password-env",
          "MV_TEST_PASSWORD",
          "--timeout",
          "10",
          "--delivery-timeout",
          "10"};
}

std::string password(const std::string& pass_key = "MAILSTACK_PASS1") {
  return "MV_TEST_PASSWORD=" + stack().get(pass_key);
}

// The text of every message file of a Maildir folder (new and cur, any flags); folder "" is INBOX,
// ".Sent" the Sent folder (Maildir++).
std::vector<std::string> maildir_files(const std::string& address, const std::string& folder = "") {
  std::vector<std::string> out;
  for (const char* sub : {"/new", "/cur"}) {
    std::error_code ec;
    for (const auto& entry :
         fs::directory_iterator(stack().maildir(address) + "/" + folder + sub, ec)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back(ss.str());
    }
  }
  return out;
}

// Every message of INBOX by content: a digest set that does not care about the renames flag
// changes cause.
std::multiset<std::string> maildir_contents(const std::string& address) {
  std::multiset<std::string> out;
  for (const std::string& text : maildir_files(address)) {
    BodyDigest d;
    d.update(text);
    out.insert(d.finish());
  }
  return out;
}

// Puts a message straight into the Maildir, flagged as given (T = \Deleted, S = \Seen).
void seed_message(const std::string& address, const std::string& name, const std::string& flags) {
  const std::string dir = stack().maildir(address) + "/cur";
  REQUIRE_MESSAGE(fs::is_directory(dir), "the Maildir must exist (log in once first)");
  std::ofstream out(dir + "/" + name + ":2," + flags, std::ios::binary);
  out << "From: someone@example.org\r\nTo: " << address << "\r\nSubject: keep me " << name
      << "\r\nMessage-ID: <" << name << "@example.org>\r\n\r\nThe user's own message " << name
      << ".\r\n";
}

void check_passed_and_cleaned(const ToolRun& run, const std::string& address) {
  INFO(run.all());
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("round trip complete") != std::string::npos);
  std::string token = printed_token(run);
  REQUIRE(!token.empty());
  CHECK(run.out.find("token and body intact") != std::string::npos);
  CHECK_FALSE(wait_for_delivery(address, token, 0).has_value());  // removed by cleanup
}

// The report line of a step ("  ✓ imap.tls  4.6 ms  TLSv1.2 ..."), empty when absent.
std::string step_line(const std::string& out, const std::string& step) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string mark, name;
    if (words >> mark >> name && name == step) return line;
  }
  return {};
}

// The devices check's second session connects after the first has logged in, so the server can
// resume the first one's TLS session: an abbreviated handshake.
void check_second_session_resumed(const ToolRun& run) {
  INFO(run.all());
  const std::string first = step_line(run.out, "imap.tls");
  const std::string second = step_line(run.out, "imap.device2.tls");
  REQUIRE(!first.empty());
  REQUIRE(!second.empty());
  CHECK(first.find("session resumed") == std::string::npos);
  CHECK(second.find("session resumed") != std::string::npos);
}

}  // namespace

TEST_CASE("integration/roundtrip: SMTP 587 STARTTLS × IMAP 993 with devices and folders checks") {
  ToolRun run = run_tool(roundtrip_args({"starttls", "MAILSTACK_SMTP_SUBMISSION_PORT", "imap",
                                         "implicit", "MAILSTACK_IMAPS_PORT"}),
                         {password()});
  check_passed_and_cleaned(run, stack().get("MAILSTACK_USER1"));
  CHECK(run.out.find("marked read in a second session, seen as read in the first") !=
        std::string::npos);
  CHECK(run.out.find("Sent = \"Sent\" (SPECIAL-USE \\Sent)") != std::string::npos);
  CHECK(run.out.find("Junk = \"Junk\" (SPECIAL-USE \\Junk)") != std::string::npos);
  CHECK(run.out.find("UID EXPUNGE: only this message") != std::string::npos);
  // Postfix + Dovecot file no copy of submitted mail: the client must save its own.
  CHECK(step_line(run.out, "imap.sent_copy").find("no copy of the sent message in \"Sent\"") !=
        std::string::npos);
  check_second_session_resumed(run);
}

TEST_CASE("integration/roundtrip: a server that files sent mail in Sent: reported, copy removed") {
  // The stack files what carol submits in her Sent folder (a BCC that Dovecot saves there).
  const std::string carol = stack().get("MAILSTACK_USER3");
  ToolRun run = run_tool(roundtrip_args({"starttls", "MAILSTACK_SMTP_SUBMISSION_PORT", "imap",
                                         "implicit", "MAILSTACK_IMAPS_PORT"},
                                        "MAILSTACK_USER3"),
                         {password("MAILSTACK_PASS3")});
  check_passed_and_cleaned(run, carol);
  CHECK(step_line(run.out, "imap.sent_copy")
            .find("the server filed a copy of the sent message in \"Sent\": the mail client "
                  "should not save another (copy removed)") != std::string::npos);
  // Only this run's copy went: nothing in carol's Sent carries the token.
  const std::string token = printed_token(run);
  REQUIRE(!token.empty());
  for (const std::string& text : maildir_files(carol, ".Sent"))
    CHECK(text.find(token) == std::string::npos);
}

TEST_CASE("integration/roundtrip: SMTP 465 × IMAP 143 STARTTLS") {
  ToolRun run = run_tool(roundtrip_args({"implicit", "MAILSTACK_SMTPS_PORT", "imap", "starttls",
                                         "MAILSTACK_IMAP_PORT"}),
                         {password()});
  check_passed_and_cleaned(run, stack().get("MAILSTACK_USER1"));
  CHECK(run.out.find("imap.starttls") != std::string::npos);
  check_second_session_resumed(run);  // after STARTTLS too
}

TEST_CASE("integration/roundtrip: SMTP 587 × POP3 995") {
  ToolRun run = run_tool(roundtrip_args({"starttls", "MAILSTACK_SMTP_SUBMISSION_PORT", "pop3",
                                         "implicit", "MAILSTACK_POP3S_PORT"}),
                         {password()});
  check_passed_and_cleaned(run, stack().get("MAILSTACK_USER1"));
  CHECK(run.out.find("POP3 does not synchronise read state") != std::string::npos);
}

TEST_CASE("integration/roundtrip: SMTP 465 × POP3 110 STLS") {
  ToolRun run = run_tool(roundtrip_args({"implicit", "MAILSTACK_SMTPS_PORT", "pop3", "starttls",
                                         "MAILSTACK_POP3_PORT"}),
                         {password()});
  check_passed_and_cleaned(run, stack().get("MAILSTACK_USER1"));
  CHECK(run.out.find("pop3.stls") != std::string::npos);
}

TEST_CASE("integration/roundtrip: --keep leaves the message, --receive-only finds it by token") {
  auto args = roundtrip_args(
      {"starttls", "MAILSTACK_SMTP_SUBMISSION_PORT", "imap", "implicit", "MAILSTACK_IMAPS_PORT"});
  args.push_back("--keep");
  ToolRun sent = run_tool(args, {password()});
  INFO(sent.all());
  REQUIRE(sent.exit_code == 0);
  std::string token = printed_token(sent);
  CHECK(wait_for_delivery(stack().get("MAILSTACK_USER1"), token, 0).has_value());

  const Stack& s = stack();
  ToolRun found = run_tool(
      {"--email", s.get("MAILSTACK_USER1"), "--host", s.get("MAILSTACK_TLS_NAME"), "--imap-port",
       s.get("MAILSTACK_IMAPS_PORT"), "--cafile", s.get("MAILSTACK_CA"), "--password-env",
       "MV_TEST_PASSWORD", "--receive-only", "--find-token", token, "--check", "none"},
      {password()});
  INFO(found.all());
  CHECK(found.exit_code == 0);
  CHECK(found.out.find("imap.arrival") != std::string::npos);
  // --receive-only never deletes what it did not send.
  CHECK(wait_for_delivery(stack().get("MAILSTACK_USER1"), token, 0).has_value());
}

TEST_CASE("integration/roundtrip: cleanup leaves every other message byte for byte (IMAP, POP3)") {
  const std::string bob = stack().get("MAILSTACK_USER2");
  // A first login makes Dovecot create the Maildir with its own owner and modes.
  const Stack& s = stack();
  ToolRun login =
      run_tool({"--email", bob, "--host", s.get("MAILSTACK_TLS_NAME"), "--imap-port",
                s.get("MAILSTACK_IMAPS_PORT"), "--cafile", s.get("MAILSTACK_CA"), "--password-env",
                "MV_TEST_PASSWORD", "--receive-only", "--check", "none"},
               {password("MAILSTACK_PASS2")});
  REQUIRE(login.exit_code == 0);
  seed_message(bob, "1700000001.seed-plain", "");
  seed_message(bob, "1700000002.seed-read", "S");
  seed_message(bob, "1700000003.seed-deleted", "T");  // the user already flagged it \Deleted
  const auto before = maildir_contents(bob);
  REQUIRE(before.size() >= 3);

  for (const Combo& c : {Combo{"starttls", "MAILSTACK_SMTP_SUBMISSION_PORT", "imap", "implicit",
                               "MAILSTACK_IMAPS_PORT"},
                         Combo{"starttls", "MAILSTACK_SMTP_SUBMISSION_PORT", "pop3", "implicit",
                               "MAILSTACK_POP3S_PORT"}}) {
    ToolRun run = run_tool(roundtrip_args(c, "MAILSTACK_USER2"), {password("MAILSTACK_PASS2")});
    check_passed_and_cleaned(run, bob);
    const auto after = maildir_contents(bob);
    CHECK(after == before);
  }
  // --check none: the fetch, the removal and the LOGOUT go out in one flight.
  auto args = roundtrip_args(
      {"starttls", "MAILSTACK_SMTP_SUBMISSION_PORT", "imap", "implicit", "MAILSTACK_IMAPS_PORT"},
      "MAILSTACK_USER2");
  args.insert(args.end(), {"--check", "none"});
  ToolRun run = run_tool(args, {password("MAILSTACK_PASS2")});
  check_passed_and_cleaned(run, bob);
  CHECK(run.out.find("UID EXPUNGE: only this message") != std::string::npos);
  CHECK(step_line(run.out, "imap.logout").find("BYE and OK") != std::string::npos);
  CHECK(maildir_contents(bob) == before);
}

TEST_CASE("integration/roundtrip: a wrong IMAP password is an IMAP auth failure") {
  const Stack& s = stack();
  ToolRun run =
      run_tool({"--email", s.get("MAILSTACK_USER1"), "--host", s.get("MAILSTACK_TLS_NAME"),
                "--imap-port", s.get("MAILSTACK_IMAPS_PORT"), "--cafile", s.get("MAILSTACK_CA"),
                "--password-env", "MV_TEST_PASSWORD", "--receive-only"},
               {"MV_TEST_PASSWORD=Canary-Imap-31c4"});
  INFO(run.all());
  CHECK(run.exit_code == 5);
  CHECK(run.out.find("imap.auth_failed") != std::string::npos);
  CHECK(run.all().find("Canary-Imap-31c4") == std::string::npos);
}

TEST_CASE("integration/roundtrip: IMAP without TLS is refused before credentials") {
  const Stack& s = stack();
  ToolRun run =
      run_tool({"--email", s.get("MAILSTACK_USER1"), "--host", s.get("MAILSTACK_TLS_NAME"),
                "--imap-tls", "none", "--imap-port", s.get("MAILSTACK_IMAP_PORT"), "--cafile",
                s.get("MAILSTACK_CA"), "--password-env", "MV_TEST_PASSWORD", "--receive-only"},
               {password()});
  INFO(run.all());
  CHECK(run.exit_code == 6);
  CHECK(run.out.find("imap.plaintext_auth_refused") != std::string::npos);
  CHECK(run.out.find("imap.auth ") == std::string::npos);
}

}  // namespace mv::test

namespace mv::test {

// Reads the tool's --trace through a FIFO as it is written and calls `on_line` for each line;
// returns when the tool closes the trace (or after 30 s without a line: a tool that never opened
// it). Nothing sleeps: the reader blocks on the FIFO.
namespace {

void follow_trace(const std::string& fifo, const std::function<void(std::string_view)>& on_line) {
  const int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(fd >= 0);
  std::string pending;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 30'000) <= 0) break;  // Linux: no POLLHUP before a writer has opened it
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;  // the tool closed the trace
    pending.append(buf, static_cast<std::size_t>(n));
    for (auto lf = pending.find('\n'); lf != std::string::npos; lf = pending.find('\n')) {
      on_line(std::string_view(pending).substr(0, lf));
      pending.erase(0, lf + 1);
    }
  }
  ::close(fd);
}

}  // namespace

TEST_CASE("integration/roundtrip: a late message is caught by IDLE after the polling phase") {
  const Stack& s = stack();
  const std::string alice = s.get("MAILSTACK_USER1");
  const std::string token = "LateIdle" + std::to_string(::getpid());
  char dir[] = "/tmp/mv-idle-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string fifo = std::string(dir) + "/trace";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // The message is delivered once the tool has sent IDLE, seen in its trace: past the polling
  // phase whatever the machine's speed, so only IDLE can find it.
  bool delivered = false;
  std::thread writer([&] {
    follow_trace(fifo, [&](std::string_view line) {
      if (delivered || line.find(" > ") == std::string_view::npos || !line.ends_with(" IDLE"))
        return;
      std::ofstream out(s.maildir(alice) + "/new/1700000100.late-" + token, std::ios::binary);
      out << "From: " << alice << "\r\nTo: " << alice << "\r\nX-Mailverify-Token: " << token
          << "\r\nSubject: late\r\n\r\nlate body\r\n";
      delivered = true;
    });
  });
  ToolRun run = run_tool({"--email", alice, "--host", s.get("MAILSTACK_TLS_NAME"), "--imap-port",
                          s.get("MAILSTACK_IMAPS_PORT"), "--cafile", s.get("MAILSTACK_CA"),
                          "--password-env", "MV_TEST_PASSWORD", "--receive-only", "--find-token",
                          token, "--check", "none", "--delivery-timeout", "15", "--trace", fifo},
                         {password()});
  writer.join();
  std::filesystem::remove_all(dir);
  INFO(run.all());
  REQUIRE(delivered);  // the tool went into IDLE
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("by IDLE (EXISTS) then UID SEARCH") != std::string::npos);
}

}  // namespace mv::test

namespace mv::test {

TEST_CASE("integration/roundtrip: a message that landed in Junk is reported as such, not passed") {
  const Stack& s = stack();
  const std::string alice = s.get("MAILSTACK_USER1");
  const std::string token = "InJunk" + std::to_string(::getpid());
  // The spam filter's move is played by writing the message into the Junk folder's Maildir
  // directly (Maildir++: ".Junk" with cur/new/tmp, owned like the rest of the Maildir, which
  // Dovecot creates lazily).
  const std::string junk = s.maildir(alice) + "/.Junk";
  struct stat owner {};
  REQUIRE(::stat(s.maildir(alice).c_str(), &owner) == 0);
  for (const char* sub : {"", "/cur", "/new", "/tmp"}) {
    fs::create_directories(junk + sub);
    REQUIRE(::chown((junk + sub).c_str(), owner.st_uid, owner.st_gid) == 0);
    fs::permissions(junk + sub, fs::perms::owner_all);
  }
  {
    std::ofstream out(junk + "/new/1700000200.junk-" + token, std::ios::binary);
    out << "From: " << alice << "\r\nTo: " << alice << "\r\nX-Mailverify-Token: " << token
        << "\r\nSubject: junk\r\n\r\njunk body\r\n";
  }
  ToolRun run = run_tool({"--email", alice, "--host", s.get("MAILSTACK_TLS_NAME"), "--imap-port",
                          s.get("MAILSTACK_IMAPS_PORT"), "--cafile", s.get("MAILSTACK_CA"),
                          "--password-env", "MV_TEST_PASSWORD", "--receive-only", "--find-token",
                          token, "--check", "none", "--delivery-timeout", "1"},
                         {password()});
  INFO(run.all());
  CHECK(run.exit_code == 7);
  CHECK(run.out.find("roundtrip.junk") != std::string::npos);
  CHECK(run.out.find("delivered to the Junk folder \"Junk\"") != std::string::npos);
}

}  // namespace mv::test

namespace mv::test {

TEST_CASE("integration/roundtrip: --stop-after auth logs in everywhere and changes nothing") {
  for (const Combo& c :
       {Combo{"starttls", "MAILSTACK_SMTP_SUBMISSION_PORT", "imap", "starttls",
              "MAILSTACK_IMAP_PORT"},
        Combo{"implicit", "MAILSTACK_SMTPS_PORT", "pop3", "implicit", "MAILSTACK_POP3S_PORT"}}) {
    const auto before = maildir_contents(stack().get("MAILSTACK_USER1"));
    auto args = roundtrip_args(c);
    args.insert(args.end(), {"--stop-after", "auth"});
    ToolRun run = run_tool(args, {password()});
    INFO(run.all());
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("✓ smtp.auth") != std::string::npos);
    CHECK(run.out.find("✓ " + c.receive + ".auth") != std::string::npos);
    CHECK(run.out.find("smtp.mail") == std::string::npos);
    CHECK(run.out.find("search") == std::string::npos);
    CHECK(run.out.find("dry run") != std::string::npos);
    CHECK(maildir_contents(stack().get("MAILSTACK_USER1")) == before);
  }
}

TEST_CASE("integration/roundtrip: --stop-after tls stops every session after its handshake") {
  auto args = roundtrip_args(
      {"starttls", "MAILSTACK_SMTP_SUBMISSION_PORT", "imap", "starttls", "MAILSTACK_IMAP_PORT"});
  args.insert(args.end(), {"--stop-after", "tls"});
  ToolRun run = run_tool(args, {password()});
  INFO(run.all());
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("✓ smtp.tls") != std::string::npos);
  CHECK(run.out.find("✓ imap.tls") != std::string::npos);
  CHECK(run.out.find(".auth") == std::string::npos);
}

}  // namespace mv::test
