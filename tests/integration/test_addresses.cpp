// SPDX-License-Identifier: Apache-2.0
// Hosts as users type them, against the real Postfix + Dovecot: an IP address literal needs no
// name lookup and the stack's certificate is checked against its iPAddress SANs (127.0.0.1,
// ::1), without --tls-name tricks; -4/-6 contradicting a literal is a usage error saying so.
#include <doctest/doctest.h>

#include "tests/integration/stack.hpp"

namespace mv::test {

namespace {

std::vector<std::string> run_args(const std::string& host) {
  const Stack& s = stack();
  return {"--email",
          s.get("MAILSTACK_USER1"),
          "--password-env",
          "MV_TEST_PASSWORD",
          "--host",
          host,
          "--smtp-port",
          s.get("MAILSTACK_SMTP_SUBMISSION_PORT"),
          "--imap-port",
          s.get("MAILSTACK_IMAPS_PORT"),
          "--cafile",
          s.get("MAILSTACK_CA"),
          "--timeout",
          "10",
          "--delivery-timeout",
          "10",
          "--check",
          "none"};
}

std::string password() {
  return "MV_TEST_PASSWORD=" + stack().get("MAILSTACK_PASS1");
}

}  // namespace

TEST_CASE("integration/addresses: an IPv4 literal, bare or bracketed, verifies by IP SAN") {
  for (const char* host : {"127.0.0.1", "[127.0.0.1]"}) {
    const ToolRun r = run_tool(run_args(host), {password()});
    INFO(host << "\n" << r.all());
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("SMTP 127.0.0.1:") != std::string::npos);
  }
}

TEST_CASE("integration/addresses: an IPv6 literal verifies by IP SAN") {
  if (stack().get("MAILSTACK_HOST6").empty()) {
    MESSAGE("the stack has no ::1 listener here; skipped");
    return;
  }
  const ToolRun r = run_tool(run_args("[::1]"), {password()});
  INFO(r.all());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("SMTP [::1]:") != std::string::npos);
}

TEST_CASE("integration/addresses: -6 with an IPv4 literal is a usage error naming both") {
  std::vector<std::string> args = run_args("127.0.0.1");
  args.push_back("-6");
  const ToolRun r = run_tool(args, {password()});
  CHECK(r.exit_code == 2);
  CHECK(r.all().find("-6 contradicts --host 127.0.0.1, an IPv4 address") != std::string::npos);
}

}  // namespace mv::test
