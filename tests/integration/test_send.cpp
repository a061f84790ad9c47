// SPDX-License-Identifier: Apache-2.0
// The send-self check against the real Postfix + Dovecot: the message must really arrive, intact,
// and every refusal must be the precise one, before any credential is exposed.
#include <doctest/doctest.h>
#include <mbedtls/ssl.h>

#include "protocols/common/message.hpp"
#include "tests/integration/stack.hpp"

namespace mv::test {

namespace {

std::vector<std::string> base_args(const std::string& tls, const std::string& port_key) {
  const Stack& s = stack();
  return {"--email",
          s.get("MAILSTACK_USER1"),
          "--smtp-host",
          s.get("MAILSTACK_TLS_NAME"),
          "--smtp-port",
          s.get(port_key),
          "--smtp-tls",
          tls,
          "--cafile",
          s.get("MAILSTACK_CA"),
          "--password-env",
          "MV_TEST_PASSWORD",
          "--send-only",
          "--timeout",
          "10"};
}

std::string good_password() {
  return "MV_TEST_PASSWORD=" + stack().get("MAILSTACK_PASS1");
}

// The body of a delivered message: everything after the first blank line.
std::string body_of(const std::string& message) {
  auto pos = message.find("\r\n\r\n");
  std::size_t skip = 4;
  if (pos == std::string::npos) {
    pos = message.find("\n\n");
    skip = 2;
  }
  return pos == std::string::npos ? std::string() : message.substr(pos + skip);
}

void check_delivered_intact(const ToolRun& run, std::size_t body_size) {
  INFO(run.all());
  REQUIRE(run.exit_code == 0);
  std::string token = printed_token(run);
  REQUIRE(token.size() == 20);
  auto delivered = wait_for_delivery(stack().get("MAILSTACK_USER1"), token);
  REQUIRE_MESSAGE(delivered.has_value(), "the message never reached the Maildir");
  // The same spec composes the same body: its digest is what was sent.
  MessageSpec spec;
  spec.from = spec.to = stack().get("MAILSTACK_USER1");
  spec.token = token;
  spec.date = "Thu, 01 Jan 1970 00:00:00 +0000";
  spec.body_size = body_size;
  Error error;
  auto sent = TestMessage::compose(spec, error);
  REQUIRE(sent.has_value());
  BodyDigest digest;
  digest.update(body_of(*delivered));
  CHECK(digest.finish() == sent->body_digest());
  CHECK(delivered->find("Message-ID: " + sent->message_id()) != std::string::npos);
}

}  // namespace

TEST_CASE("integration/send: STARTTLS on submission delivers the tagged message intact") {
  ToolRun run =
      run_tool(base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT"), {good_password()});
  check_delivered_intact(run, 512);
  CHECK(run.out.find("smtp.tls") != std::string::npos);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
  // mbedTLS 3.6 (the default build) and Postfix both prefer TLS 1.3: one round trip fewer.
  CHECK(run.out.find("TLSv1.3") != std::string::npos);
#else
  CHECK(run.out.find("TLSv1.2") != std::string::npos);  // the system's 2.28
#endif
}

TEST_CASE("integration/send: implicit TLS on 465 delivers a larger message with dot lines intact") {
  auto args = base_args("implicit", "MAILSTACK_SMTPS_PORT");
  args.insert(args.end(), {"--body-size", "300000"});
  ToolRun run = run_tool(args, {good_password()});
  check_delivered_intact(run, 300000);
}

TEST_CASE("integration/send: a wrong password is an auth failure and never printed") {
  const std::string canary = "Canary-Pw-7f3e9a";
  ToolRun run = run_tool(base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT"),
                         {"MV_TEST_PASSWORD=" + canary});
  INFO(run.all());
  CHECK(run.exit_code == 5);
  CHECK(run.out.find("smtp.auth_failed") != std::string::npos);
  CHECK(run.all().find(canary) == std::string::npos);
}

TEST_CASE("integration/send: a user name without domain gets the full-address advice") {
  auto args = base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT");
  const std::string user = stack().get("MAILSTACK_USER1");
  args.insert(args.end(), {"--user", user.substr(0, user.find('@'))});
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 5);
  CHECK(run.out.find("full email address") != std::string::npos);
}

TEST_CASE("integration/send: an untrusted CA fails at TLS, before any AUTH") {
  auto args = base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT");
  // Trust the system store instead of the stack's throwaway CA.
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--cafile")
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 4);
  CHECK(run.out.find("tls.unknown_ca") != std::string::npos);
  CHECK(run.out.find("smtp.auth") == std::string::npos);
}

TEST_CASE("integration/send: a plaintext port is refused before credentials") {
  auto args = base_args("none", "MAILSTACK_SMTP_SUBMISSION_PORT");
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 6);
  CHECK(run.out.find("plaintext_auth_refused") != std::string::npos);
  CHECK(run.out.find("✓ smtp.auth") == std::string::npos);
}

TEST_CASE("integration/send: implicit TLS on the STARTTLS port is diagnosed as a mode mismatch") {
  ToolRun run =
      run_tool(base_args("implicit", "MAILSTACK_SMTP_SUBMISSION_PORT"), {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 4);
  CHECK(run.out.find("tls.plaintext_reply") != std::string::npos);
  CHECK(run.out.find("starttls") != std::string::npos);
}

TEST_CASE("integration/send: a closed port is a refused connection") {
  auto args = base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT");
  args[5] = "1";  // --smtp-port value: nothing listens on port 1
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("net.refused") != std::string::npos);
}

TEST_CASE("integration/send: --stop-after auth logs in and sends no message") {
  auto args = base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT");
  args.insert(args.end(), {"--stop-after", "auth"});
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("smtp.auth") != std::string::npos);
  CHECK(run.out.find("smtp.data") == std::string::npos);
}

}  // namespace mv::test

namespace mv::test {

TEST_CASE("integration/send: STARTTLS on the implicit-TLS port is diagnosed as a mode mismatch") {
  auto args = base_args("starttls", "MAILSTACK_SMTPS_PORT");
  args.back() = "1";  // --timeout 1: the server waits for our ClientHello, we for its greeting
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("net.no_greeting") != std::string::npos);
  CHECK(run.out.find("--smtp-tls implicit") != std::string::npos);
}

TEST_CASE("integration/send: a closed port probes the other submission ports") {
  auto args = base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT");
  args[5] = "1";
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("smtp.probe_ports") != std::string::npos);
}

TEST_CASE("integration/send: a message over the server's SIZE limit is refused before MAIL") {
  auto args = base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT");
  args.insert(args.end(), {"--body-size", "68000000"});  // the stack announces SIZE 67108864
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 7);
  CHECK(run.out.find("smtp.message_too_large") != std::string::npos);
  CHECK(run.out.find("✓ smtp.mail") == std::string::npos);  // refused before MAIL FROM
}

TEST_CASE(
    "integration/send: reached by an address its certificate names in an IP SAN, it verifies") {
  // The stack's certificate names localhost and the addresses 127.0.0.1, 127.0.0.2 and ::1. With
  // mbedTLS 2.28 alone an address never matched (it compares DNS names only); tls/ip_san checks
  // the iPAddress entries, so this connects verified. A name or address the certificate does not
  // list is tls.bad_host (tests/unit/test_tls.cpp, against real mbedTLS servers).
  auto args = base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT");
  args[3] = "127.0.0.2";
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("tls.bad_host") == std::string::npos);
  CHECK(run.out.find("smtp.auth") != std::string::npos);
}

TEST_CASE("integration/send: a certificate for another name fails the host check") {
  // A name the stack's certificate does not list (it names localhost and the loopback addresses),
  // pinned to the stack with --resolve as curl's: the name typed is the one checked.
  const Stack& s = stack();
  const std::string port = s.get("MAILSTACK_SMTP_SUBMISSION_PORT");
  auto args = base_args("starttls", "MAILSTACK_SMTP_SUBMISSION_PORT");
  args[3] = "other-name.mailverify.test";
  args.insert(args.end(), {"--resolve", "other-name.mailverify.test:" + port + ":127.0.0.1"});
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 4);
  CHECK(run.out.find("tls.bad_host") != std::string::npos);
  CHECK(run.out.find("smtp.auth") == std::string::npos);
}

}  // namespace mv::test

namespace mv::test {

TEST_CASE("integration/send: a server that offers no AUTH after TLS is diagnosed as such") {
  // The stack's port-25 service: STARTTLS, but no AUTH (an MX, not a submission service).
  auto args = base_args("starttls", "MAILSTACK_SMTP_PORT");
  ToolRun run = run_tool(args, {good_password()});
  INFO(run.all());
  CHECK(run.exit_code == 5);
  CHECK(run.out.find("smtp.auth_unavailable") != std::string::npos);
  CHECK(run.out.find("did not offer authentication") != std::string::npos);
}

}  // namespace mv::test
