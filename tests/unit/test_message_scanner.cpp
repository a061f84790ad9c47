// SPDX-License-Identifier: Apache-2.0
// MessageScanner: token, Message-ID, body digest and byte count of a read-back message (IMAP
// BODY[], POP3 TOP/RETR). Every input is fed whole, at every split point and byte by byte.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/message.hpp"
#include "protocols/common/message_scanner.hpp"
#include "tests/support/split_feed.hpp"

namespace {

constexpr std::size_t kMaxScannedField = mv::kDefaultLimits.max_scanned_field;
using mv::MessageScanOptions;
using mv::ScannedMessage;

ScannedMessage scan(const std::vector<std::string_view>& chunks,
                    const MessageScanOptions& options) {
  mv::MessageScanner scanner(options);
  for (auto c : chunks)
    scanner.update(c);
  return scanner.finish();
}

ScannedMessage scan_every_split(std::string_view input, const MessageScanOptions& options = {}) {
  return mv::test::same_for_every_split<ScannedMessage>(
      input, [&](const auto& chunks) { return scan(chunks, options); },
      [](const ScannedMessage& whole, const ScannedMessage& split, std::size_t i) {
        INFO("split #" << i);
        CHECK(split.token == whole.token);
        CHECK(split.token_matched == whole.token_matched);
        CHECK(split.message_id == whole.message_id);
        CHECK(split.body_digest == whole.body_digest);
        CHECK(split.bytes == whole.bytes);
        CHECK(split.header_ended == whole.header_ended);
        CHECK(split.header_truncated == whole.header_truncated);
      });
}

// The POP3 TOP n 0 scan: look for a wanted token, no body digest.
ScannedMessage scan_every_split(std::string_view input, std::string wanted, bool digest) {
  return scan_every_split(input, MessageScanOptions{std::move(wanted), digest});
}

std::string digest_of(std::string_view body) {
  mv::BodyDigest d;
  d.update(body);
  return d.finish();
}

}  // namespace

TEST_CASE("common/message_scanner: token, folded Message-ID and body digest at every split") {
  const std::string body = "line one\r\n.dotted\r\nX-Mailverify-Token: not-a-header\r\n\r\n";
  const std::string message =
      "Received: from a\r\n\tby b\r\n"
      "Message-ID:\r\n <abc.123@example.org>\r\n"
      "x-mailverify-token:   tok123  \r\n"
      "X-Mailverify-Token: second\r\n"
      "\r\n" +
      body;
  auto m = scan_every_split(message, "tok123", true);
  REQUIRE(m.token);
  CHECK(*m.token == "tok123");
  CHECK(m.token_matched);
  CHECK(m.message_id == "<abc.123@example.org>");
  CHECK(m.header_ended);
  CHECK_FALSE(m.header_truncated);
  CHECK(m.bytes == message.size());
  CHECK(m.body_digest == digest_of(body));
  CHECK(m.body_digest != digest_of("line one\r\n"));

  // The second token header matches too; a body line that looks like a header does not.
  CHECK(scan_every_split(message, "second", false).token_matched);
  CHECK_FALSE(scan_every_split(message, "not-a-header", false).token_matched);
  CHECK_FALSE(scan_every_split(message, "tok12", false).token_matched);
  CHECK(scan_every_split(message, "", false).token_matched == false);
  CHECK(scan_every_split(message, "tok123", false).body_digest.empty());
}

TEST_CASE("common/message_scanner: a folded token, the body digested by default (IMAP BODY[])") {
  const std::string body = "line one\r\n\"{3}\" )\r\n\r\n";
  const std::string message =
      "Message-ID: <abc@x>\r\nX-Mailverify-Token:\r\n  Tok3n\r\nSubject: {5}\r\n\r\n" + body;
  auto m = scan_every_split(message);
  CHECK(m.token == std::optional<std::string>("Tok3n"));
  CHECK_FALSE(m.token_matched);  // nothing wanted
  CHECK(m.message_id == "<abc@x>");
  CHECK(m.body_digest == digest_of(body));
  CHECK(m.bytes == message.size());
  CHECK(m.header_ended);
  CHECK_FALSE(m.header_truncated);

  // Bare LF line ends give the same facts; the first Message-ID with a value wins.
  auto lf = scan_every_split(
      "Message-ID:\nX-Mailverify-Token: a\nMessage-ID: <1@x>\n"
      "Message-ID: <2@x>\nX-Mailverify-Token: b\n\nbody\n");
  CHECK(lf.token == std::optional<std::string>("a"));
  CHECK(lf.message_id == "<1@x>");
  CHECK(lf.header_ended);
  CHECK(lf.body_digest == digest_of("body\r\n"));
}

TEST_CASE("common/message_scanner: header-only messages, bare LF, overlong fields") {
  // TOP n 0 from a server that omits the blank line, bare LF line ends, no final line end.
  auto m = scan_every_split("Subject: s\nX-Mailverify-Token: abc", "abc", false);
  CHECK(m.token_matched);
  CHECK_FALSE(m.header_ended);
  CHECK_FALSE(m.header_truncated);
  // A field longer than the bound is skipped, not grown; the next field still counts.
  const std::string huge = "X-Mailverify-Token: " + std::string(kMaxScannedField, 'a');
  auto h = scan_every_split(huge + "\r\n\t" + "abc\r\nMessage-ID: <m@x>\r\n\r\n", "abc", false);
  CHECK_FALSE(h.token_matched);
  CHECK_FALSE(h.token.has_value());
  CHECK(h.message_id == "<m@x>");
  CHECK(h.header_ended);
  CHECK(h.header_truncated);
}

TEST_CASE("common/message_scanner: without an empty line there is no body; the end counts") {
  // The digest of no body at all; an unterminated last header line is still a field.
  const std::string unterminated = "Subject: s\r\nMessage-ID: <m@x>\r\nX-Mailverify-Token: t1\r";
  auto m = scan_every_split(unterminated);
  CHECK(m.token == std::optional<std::string>("t1"));
  CHECK(m.message_id == "<m@x>");
  CHECK_FALSE(m.header_ended);
  CHECK(m.body_digest == digest_of(""));
  CHECK(m.bytes == unterminated.size());

  // A lone CR at the very end is no empty line.
  auto cr = scan_every_split("X-Mailverify-Token: t2\r\n\r");
  CHECK(cr.token == std::optional<std::string>("t2"));
  CHECK_FALSE(cr.header_ended);

  // Empty input; an empty line first: everything after it is body, header lines included.
  auto empty = scan_every_split("");
  CHECK_FALSE(empty.token);
  CHECK(empty.message_id.empty());
  CHECK(empty.bytes == 0);
  CHECK_FALSE(empty.header_ended);
  auto body_only = scan_every_split("\r\nX-Mailverify-Token: t3\r\n");
  CHECK_FALSE(body_only.token);
  CHECK(body_only.header_ended);
  CHECK(body_only.body_digest == digest_of("X-Mailverify-Token: t3\r\n"));
}

TEST_CASE("common/message_scanner: a field of exactly the bound is kept, one byte more is not") {
  const std::string name = "X-Mailverify-Token: ";
  const std::string fits = name + std::string(kMaxScannedField - name.size() - 3, 'a');
  // Folded, CRLF: the unfolded field is exactly kMaxScannedField bytes.
  auto m = scan_every_split(fits + "\r\n bc\r\n\r\nbody");
  REQUIRE(m.token);
  CHECK(*m.token == (std::string(kMaxScannedField - name.size() - 3, 'a') + " bc"));
  CHECK_FALSE(m.header_truncated);
  CHECK(m.body_digest == digest_of("body"));
  // One physical line of exactly the bound, CR kept apart from it.
  auto line = scan_every_split(fits + "xyz\r\nMessage-ID: <m@x>\r\n\r\n");
  REQUIRE(line.token);
  CHECK(line.token->size() == kMaxScannedField - name.size());
  CHECK(line.message_id == "<m@x>");
  CHECK_FALSE(line.header_truncated);
  // One byte more, unfolded or on one line (bare LF): skipped, and said so.
  auto over = scan_every_split(fits + "\r\n bcd\r\nMessage-ID: <m@x>\r\n\r\n");
  CHECK_FALSE(over.token);
  CHECK(over.message_id == "<m@x>");
  CHECK(over.header_truncated);
  CHECK(over.header_ended);
  auto over_line = scan_every_split(fits + "wxyz\nX-Mailverify-Token: next\n");
  CHECK(over_line.token == std::optional<std::string>("next"));
  CHECK(over_line.header_truncated);
  CHECK_FALSE(over_line.header_ended);
}

TEST_CASE("common/message_scanner: finish starts over with the same options") {
  const std::string first = "X-Mailverify-Token: abc\r\n\r\nbody one\r\n";
  const std::string second = "Message-ID: <2@x>\r\nX-Mailverify-Token: zzz\r\n\r\nbody two\r\n";
  for (const auto& chunks : mv::test::all_splits(first)) {
    mv::MessageScanner scanner(MessageScanOptions{"abc", true});
    for (auto c : chunks)
      scanner.update(c);
    auto a = scanner.finish();
    CHECK(a.token_matched);
    CHECK(a.body_digest == digest_of("body one\r\n"));
    scanner.update(second);
    auto b = scanner.finish();
    CHECK(b.token == std::optional<std::string>("zzz"));
    CHECK_FALSE(b.token_matched);
    CHECK(b.message_id == "<2@x>");
    CHECK(b.bytes == second.size());
    CHECK(b.body_digest == digest_of("body two\r\n"));
  }
}

TEST_CASE("common/message_scanner: the composed test message reads back with its own digest") {
  mv::MessageSpec spec;
  spec.from = "alice@example.org";
  spec.to = "alice@example.org";
  spec.token = "Tok3nAbc";
  spec.date = "Mon, 1 Jan 2024 00:00:00 +0000";
  spec.body_size = 700;
  mv::Error err;
  auto msg = mv::TestMessage::compose(spec, err);
  REQUIRE(msg);
  std::string text;
  char buf[97];
  while (std::size_t n = msg->read(buf, sizeof buf))
    text.append(buf, n);
  REQUIRE(text.size() == msg->size());
  auto m = scan_every_split(text, "Tok3nAbc", true);
  CHECK(m.token_matched);
  CHECK(m.token == std::optional<std::string>(msg->token()));
  CHECK(m.message_id == msg->message_id());
  CHECK(m.body_digest == msg->body_digest());
  CHECK(m.bytes == msg->size());
  CHECK(m.header_ended);
  CHECK_FALSE(m.header_truncated);
}
