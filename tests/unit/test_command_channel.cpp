// SPDX-License-Identifier: Apache-2.0
// CommandChannel, the command/response core the three clients share: replies owed per command and
// refused before their command went out, pipelining, continuations, secrets, the sticky error, the
// STARTTLS boundary; and the one digit parser.
#include <doctest/doctest.h>

#include <string>

#include "protocols/common/command_channel.hpp"
#include "protocols/common/digits.hpp"

namespace {

using mv::CommandChannel;
using Turn = CommandChannel::Turn;

TEST_CASE("command channel: a reply is owed only once its whole command went out") {
  CommandChannel ch;
  CHECK(ch.take_reply() == Turn::none_due);
  ch.command("NOOP");
  CHECK(ch.pending() == "NOOP\r\n");
  ch.consume(3);
  CHECK(ch.peek_reply() == Turn::early);
  CHECK(ch.take_reply() == Turn::early);  // still owed
  ch.consume(3);
  CHECK(ch.pending().empty());
  CHECK(ch.all_sent());
  CHECK(ch.take_reply() == Turn::ok);
  CHECK(ch.take_reply() == Turn::none_due);
}

TEST_CASE("command channel: pipelined commands are answered in order") {
  CommandChannel ch;
  ch.command("MAIL FROM:<a@b>");
  ch.command("RCPT TO:<c@d>");
  ch.command("DATA");
  CHECK(ch.replies_due() == 3);
  ch.consume(std::string("MAIL FROM:<a@b>\r\n").size());
  CHECK(ch.take_reply() == Turn::ok);
  CHECK(ch.take_reply() == Turn::early);  // RCPT not written yet
  ch.consume(ch.pending().size());
  CHECK(ch.take_reply() == Turn::ok);
  CHECK(ch.take_reply() == Turn::ok);
  CHECK(ch.replies_due() == 0);
}

TEST_CASE("command channel: a continuation moves its command's reply behind the new bytes") {
  CommandChannel ch;
  ch.framed_command("A1 LOGIN {4}\r\n");
  ch.consume(ch.pending().size());
  CHECK(ch.peek_reply() == Turn::ok);
  ch.continue_command("user\r\n");
  CHECK(ch.peek_reply() == Turn::early);
  ch.consume(ch.pending().size());
  CHECK(ch.take_reply() == Turn::ok);
}

TEST_CASE("command channel: body bytes then the reply owed for their end") {
  CommandChannel ch;
  ch.write("line\r\n");
  ch.write_with([](std::string& out) { out += ".\r\n"; });
  ch.expect_reply();
  CHECK(ch.pending() == "line\r\n.\r\n");
  ch.consume(6);
  CHECK(ch.take_reply() == Turn::early);
  ch.consume(3);
  CHECK(ch.take_reply() == Turn::ok);
}

TEST_CASE("command channel: secret lines are sensitive until drained, and the source is wiped") {
  CommandChannel ch;
  std::string line = "PASS s3cret";
  ch.secret_command(line);
  CHECK(line.empty());
  CHECK(ch.sensitive());
  CHECK(ch.pending() == "PASS s3cret\r\n");
  ch.consume(5);
  CHECK(ch.sensitive());
  ch.consume(ch.pending().size());
  CHECK_FALSE(ch.sensitive());
  ch.command("STAT");
  CHECK_FALSE(ch.sensitive());

  std::string answer = "czNjcmV0";
  ch.continue_secret(answer);
  CHECK(answer.empty());
  CHECK(ch.sensitive());
}

TEST_CASE("command channel: the first error sticks; output and owed replies are dropped") {
  CommandChannel ch;
  ch.command("EHLO x");
  CHECK(ch.fail(mv::make_error(mv::ErrorKind::auth_failed, mv::Protocol::smtp, "first")));
  CHECK_FALSE(ch.fail(mv::make_error(mv::ErrorKind::bye, mv::Protocol::smtp, "second")));
  CHECK(ch.failed());
  CHECK(ch.error().detail == "first");
  CHECK(ch.pending().empty());
  CHECK(ch.replies_due() == 0);
}

TEST_CASE("command channel: bytes behind the STARTTLS reply break the boundary") {
  CHECK_FALSE(CommandChannel::tls_boundary_breach("STARTTLS", 0, "").has_value());
  const auto buffered = CommandChannel::tls_boundary_breach("STARTTLS", 3, "");
  REQUIRE(buffered.has_value());
  CHECK(buffered->find("STARTTLS") != std::string::npos);
  CHECK(CommandChannel::tls_boundary_breach("STLS", 0, "x").has_value());
}

TEST_CASE("digits: ASCII digits only, bounded, no overflow") {
  CHECK(mv::parse_digits<unsigned>("0") == 0u);
  CHECK(mv::parse_digits<unsigned>("00042") == 42u);
  CHECK(mv::parse_digits<std::uint32_t>("4294967295") == 4294967295u);
  CHECK_FALSE(mv::parse_digits<std::uint32_t>("4294967296").has_value());
  CHECK_FALSE(mv::parse_digits<std::uint64_t>("99999999999999999999999").has_value());
  CHECK(mv::parse_digits<unsigned>("65535", 65535) == 65535u);
  CHECK_FALSE(mv::parse_digits<unsigned>("65536", 65535).has_value());
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.5"}) {
    INFO(bad);
    CHECK_FALSE(mv::parse_digits<unsigned>(bad).has_value());
  }
}

}  // namespace
