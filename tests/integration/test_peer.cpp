// SPDX-License-Identifier: Apache-2.0
// --peer-email against the real stack with two users: bob (the peer) sends to alice (the
// account), alice replies to bob; IMAP and POP3 on either side, STARTTLS and implicit TLS
// submission; a peer to whom mail is refused. The mailboxes are looked at directly afterwards.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/stack.hpp"

namespace mv::test {

namespace {

namespace fs = std::filesystem;

// Every message file in the address's INBOX holding this text.
int files_with(const std::string& address, const std::string& text) {
  int n = 0;
  for (const char* sub : {"/new", "/cur"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(stack().maildir(address) + sub, ec)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      n += ss.str().find(text) != std::string::npos;
    }
  }
  return n;
}

std::vector<std::string> two_way_args(std::vector<std::string> more) {
  const Stack& s = stack();
  std::vector<std::string> args = {"--email",
                                   s.get("MAILSTACK_USER1"),
                                   "--password-env",
                                   "MV_ALICE",
                                   "--peer-email",
                                   s.get("MAILSTACK_USER2"),
                                   "--peer-password-env",
                                   "MV_BOB",
                                   "--host",
                                   s.get("MAILSTACK_TLS_NAME"),
                                   "--cafile",
                                   s.get("MAILSTACK_CA"),
                                   "--timeout",
                                   "10",
                                   "--delivery-timeout",
                                   "10",
                                   "--check",
                                   "none"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> secrets() {
  return {"MV_ALICE=" + stack().get("MAILSTACK_PASS1"), "MV_BOB=" + stack().get("MAILSTACK_PASS2")};
}

void check_both_legs(const ToolRun& r) {
  INFO(r.all());
  CHECK(r.exit_code == 0);
  const std::string alice = stack().get("MAILSTACK_USER1"), bob = stack().get("MAILSTACK_USER2");
  CHECK(r.out.find("leg.from_peer") != std::string::npos);
  CHECK(r.out.find(bob + " -> " + alice + ": delivered in ") != std::string::npos);
  CHECK(r.out.find("leg.reply") != std::string::npos);
  CHECK(r.out.find(alice + " -> " + bob + ": delivered in ") != std::string::npos);
}

}  // namespace

TEST_CASE("integration/peer: STARTTLS submission, IMAP both sides; both messages removed") {
  const Stack& s = stack();
  const ToolRun r = run_tool(two_way_args({"--smtp-port", s.get("MAILSTACK_SMTP_SUBMISSION_PORT"),
                                           "--imap-port", s.get("MAILSTACK_IMAPS_PORT")}),
                             secrets());
  check_both_legs(r);
  const std::string token = printed_token(r);
  REQUIRE_FALSE(token.empty());
  // The peer's message is gone from alice's INBOX, the reply (which refers to it) from bob's.
  CHECK(files_with(s.get("MAILSTACK_USER1"), "X-Mailverify-Token: " + token) == 0);
  CHECK(files_with(s.get("MAILSTACK_USER2"), "In-Reply-To: <mailverify." + token + "@") == 0);
}

TEST_CASE(
    "integration/peer: implicit TLS submission, POP3 on the account, IMAP on the peer; "
    "--keep leaves a real reply") {
  const Stack& s = stack();
  const ToolRun r =
      run_tool(two_way_args({"--smtp-port", s.get("MAILSTACK_SMTPS_PORT"), "--smtp-tls", "implicit",
                             "--receive", "pop3", "--pop3-port", s.get("MAILSTACK_POP3S_PORT"),
                             "--imap-port", s.get("MAILSTACK_IMAPS_PORT"), "--keep"}),
               secrets());
  check_both_legs(r);
  const std::string token = printed_token(r);
  REQUIRE_FALSE(token.empty());
  CHECK(files_with(s.get("MAILSTACK_USER1"), "X-Mailverify-Token: " + token) == 1);
  // The reply threads under the peer's message (RFC 5322 3.6.4).
  const std::string ref = "<mailverify." + token + "@mailverify.test>";
  // (Maildir files keep LF line ends.)
  CHECK(files_with(s.get("MAILSTACK_USER2"), "In-Reply-To: " + ref + "\nReferences: " + ref) == 1);
  CHECK(files_with(s.get("MAILSTACK_USER2"), "Subject: Re: mailverify round-trip test") >= 1);
}

TEST_CASE("integration/peer: POP3 with STLS on the peer's side") {
  const Stack& s = stack();
  const ToolRun r = run_tool(
      two_way_args({"--smtp-port", s.get("MAILSTACK_SMTP_SUBMISSION_PORT"), "--imap-port",
                    s.get("MAILSTACK_IMAPS_PORT"), "--peer-receive", "pop3", "--peer-pop3-port",
                    s.get("MAILSTACK_POP3_PORT"), "--peer-pop3-tls", "starttls", "--peer-smtp-port",
                    s.get("MAILSTACK_SMTP_SUBMISSION_PORT"), "--peer-imap-port",
                    s.get("MAILSTACK_IMAPS_PORT"), "--peer-host", s.get("MAILSTACK_TLS_NAME")}),
      secrets());
  check_both_legs(r);
}

TEST_CASE("integration/peer: a peer to whom mail is refused: the reply leg fails, exit 7") {
  // The peer sends with bob's login under an address the domain does not have: its message
  // reaches alice, the reply to it is refused (550 5.1.1).
  const Stack& s = stack();
  const ToolRun r =
      run_tool(two_way_args({"--smtp-port", s.get("MAILSTACK_SMTP_SUBMISSION_PORT"), "--imap-port",
                             s.get("MAILSTACK_IMAPS_PORT"), "--peer-user", s.get("MAILSTACK_USER2"),
                             "--peer-email", "nobody@mailverify.test"}),
               secrets());
  INFO(r.all());
  CHECK(r.exit_code == 7);
  CHECK(r.out.find("nobody@mailverify.test -> " + s.get("MAILSTACK_USER1") + ": delivered in ") !=
        std::string::npos);
  CHECK(r.out.find("FAIL at reply:smtp") != std::string::npos);
  const std::string token = printed_token(r);
  if (!token.empty()) CHECK(files_with(s.get("MAILSTACK_USER1"), token) == 0);
}

}  // namespace mv::test
