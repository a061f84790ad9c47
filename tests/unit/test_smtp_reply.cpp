// SPDX-License-Identifier: Apache-2.0
// SMTP reply framing: every input is fed whole, at every split point and byte by byte, and must
// give the same replies and the same error.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/smtp/reply_parser.hpp"
#include "tests/support/split_feed.hpp"

namespace {

using mv::SmtpReply;
using mv::SmtpReplyParser;

struct Parsed {
  std::vector<SmtpReply> replies;
  std::string error;  // error code, empty when none
  std::size_t buffered = 0;

  bool operator==(const Parsed& o) const {
    if (replies.size() != o.replies.size() || error != o.error || buffered != o.buffered) {
      return false;
    }
    for (std::size_t i = 0; i < replies.size(); ++i) {
      const auto& a = replies[i];
      const auto& b = o.replies[i];
      if (a.code != b.code || a.enhanced != b.enhanced || a.lines != b.lines) return false;
    }
    return true;
  }
};

Parsed parse_chunks(const std::vector<std::string_view>& chunks, const mv::Limits& limits) {
  Parsed out;
  SmtpReplyParser parser(limits);
  for (std::string_view chunk : chunks) {
    while (!chunk.empty()) {
      const std::size_t took = parser.feed(chunk);
      chunk.remove_prefix(took);
      SmtpReply r;
      SmtpReplyParser::Status st;
      while ((st = parser.next(r)) == SmtpReplyParser::Status::reply)
        out.replies.push_back(r);
      if (st == SmtpReplyParser::Status::error) {
        out.error = parser.error().code;
        // Sticky: more (valid) input changes nothing.
        parser.feed("250 ok\r\n");
        CHECK(parser.next(r) == SmtpReplyParser::Status::error);
        return out;
      }
      if (took == 0) break;
    }
  }
  out.buffered = parser.buffered();
  return out;
}

Parsed parse(std::string_view input, const mv::Limits& limits = mv::kDefaultLimits) {
  return mv::test::same_for_every_split<Parsed>(
      input,
      [&](const std::vector<std::string_view>& chunks) { return parse_chunks(chunks, limits); },
      [&](const Parsed& whole, const Parsed& split, std::size_t i) {
        INFO("split " << i << " of input " << input);
        CHECK(whole == split);
      });
}

}  // namespace

TEST_CASE("smtp/reply: one-line, bare code and multi-line replies") {
  const Parsed p = parse(
      "220 mx.example.com ESMTP Postfix\r\n"
      "250\r\n"
      "354 \r\n"
      "250-mx.example.com\r\n"
      "250-PIPELINING\r\n"
      "250-\r\n"
      "250 SIZE 10240000\r\n"
      "221 2.0.0 Bye\n");  // a bare LF ends a line too
  REQUIRE(p.error.empty());
  REQUIRE(p.replies.size() == 5);
  CHECK(p.replies[0].code == 220);
  CHECK(p.replies[0].lines == std::vector<std::string>{"mx.example.com ESMTP Postfix"});
  CHECK_FALSE(p.replies[0].enhanced);
  CHECK(p.replies[1].code == 250);
  CHECK(p.replies[1].lines == std::vector<std::string>{""});
  CHECK(p.replies[2].code == 354);
  CHECK(p.replies[2].lines == std::vector<std::string>{""});
  CHECK(p.replies[3].code == 250);
  CHECK(p.replies[3].lines ==
        std::vector<std::string>{"mx.example.com", "PIPELINING", "", "SIZE 10240000"});
  CHECK(p.replies[3].text() == "mx.example.com PIPELINING  SIZE 10240000");
  CHECK(p.replies[4].code == 221);
  CHECK(p.replies[4].enhanced == std::optional<std::string>("2.0.0"));
  CHECK(p.replies[4].summary() == "221 2.0.0 Bye");
  CHECK(p.buffered == 0);
}

TEST_CASE("smtp/reply: enhanced status codes") {
  const Parsed p = parse(
      "535-5.7.139 Authentication unsuccessful, basic authentication is disabled.\r\n"
      "535 5.7.139 [Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com]\r\n"
      "250 2.1.5\r\n"
      "250 5.0.0 class differs from the code, so this is text\r\n"
      "550 5.1\r\n"
      "550 5.1.1234 four digits\r\n"
      "550 5.1.1, not followed by a space\r\n"
      "450 4.7.30 x\r\n");
  REQUIRE(p.error.empty());
  REQUIRE(p.replies.size() == 7);
  CHECK(p.replies[0].code == 535);
  CHECK(p.replies[0].enhanced == std::optional<std::string>("5.7.139"));
  CHECK(p.replies[0].lines.size() == 2);
  CHECK(p.replies[0].summary() ==
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. 5.7.139 "
        "[Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com]");
  CHECK(p.replies[1].enhanced == std::optional<std::string>("2.1.5"));
  CHECK_FALSE(p.replies[2].enhanced);
  CHECK_FALSE(p.replies[3].enhanced);
  CHECK_FALSE(p.replies[4].enhanced);
  CHECK_FALSE(p.replies[5].enhanced);
  CHECK(p.replies[6].enhanced == std::optional<std::string>("4.7.30"));
  CHECK(p.replies[6].klass() == 4);
}

TEST_CASE("smtp/reply: an unfinished reply stays buffered") {
  const Parsed p = parse("250-first\r\n250 second\r\n250-more\r\n25");
  REQUIRE(p.error.empty());
  REQUIRE(p.replies.size() == 1);
  CHECK(p.replies[0].lines == std::vector<std::string>{"first", "second"});
  CHECK(p.buffered == std::string("250-more\r\n25").size());
}

TEST_CASE("smtp/reply: malformed lines are sticky errors") {
  const char* bad[] = {
      "250X ok\r\n",         // fourth byte must be '-', ' ' or the end
      "25\r\n",              // too short
      "\r\n",                // empty line
      "abc def\r\n",         // no code
      "150 old-style\r\n",   // first digit 2..5
      "650 x\r\n",           // first digit 2..5
      "260 x\r\n",           // second digit 0..5
      "2a0 x\r\n",           // digits only
      "250-a\r\n251 b\r\n",  // code changes inside a multi-line reply
      "250-a\r\n550-b\r\n550 c\r\n",
      " 250 ok\r\n",  // leading space
  };
  for (const char* input : bad) {
    INFO("input: " << input);
    const Parsed p = parse(input);
    CHECK(p.error == "smtp.malformed_reply");
    CHECK(p.replies.empty());
  }
  // Replies before the bad line are still delivered, in every split.
  const Parsed p = parse("220 hi\r\n250-a\r\n251 b\r\n");
  CHECK(p.error == "smtp.malformed_reply");
  REQUIRE(p.replies.size() == 1);
  CHECK(p.replies[0].code == 220);
}

TEST_CASE("smtp/reply: bounds on line length, lines and bytes") {
  mv::Limits limits;
  limits.max_line = 16;
  limits.max_reply_lines = 3;
  limits.max_reply_bytes = 40;

  // 14 bytes of text + CRLF = 16: fits exactly.
  CHECK(parse("250 0123456789\r\n", limits).replies.size() == 1);
  const Parsed long_line = parse("250 01234567890\r\n", limits);
  CHECK(long_line.error == "smtp.line_too_long");
  CHECK(long_line.replies.empty());

  const Parsed three = parse("250-a\r\n250-b\r\n250 c\r\n", limits);
  REQUIRE(three.replies.size() == 1);
  CHECK(three.replies[0].lines.size() == 3);
  CHECK(parse("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", limits).error == "smtp.reply_too_large");

  // Bytes are counted with their line ends: 15 + 15 + 10 = 40 fits, 15 + 15 + 11 does not.
  limits.max_reply_lines = 10;
  CHECK(parse("250-aaaaaaaaa\r\n250-bbbbbbbbb\r\n250 cccc\r\n", limits).replies.size() == 1);
  CHECK(parse("250-aaaaaaaaa\r\n250-bbbbbbbbb\r\n250 ccccc\r\n", limits).error ==
        "smtp.reply_too_large");
  // The byte bound is per reply: many small replies are fine.
  std::string many;
  for (int i = 0; i < 20; ++i)
    many += "250 ok\r\n";
  CHECK(parse(many, limits).replies.size() == 20);
}

TEST_CASE("smtp/reply: input larger than the line buffer is drained in a loop") {
  std::string input;
  for (int i = 0; i < 3000; ++i)
    input += "250-line " + std::to_string(i) + "\r\n";
  input += "250 end\r\n";
  mv::Limits limits;
  limits.max_reply_lines = 4000;
  limits.max_reply_bytes = 1 << 20;
  const Parsed p = parse_chunks({input}, limits);
  REQUIRE(p.error.empty());
  REQUIRE(p.replies.size() == 1);
  CHECK(p.replies[0].lines.size() == 3001);
  CHECK(p.replies[0].lines[2999] == "line 2999");
}

TEST_CASE("smtp/reply: clear() forgets buffered bytes and the error") {
  SmtpReplyParser parser;
  SmtpReply r;
  parser.feed("220 go\r\n250 injected\r\n");
  REQUIRE(parser.next(r) == SmtpReplyParser::Status::reply);
  CHECK(parser.buffered() == 14);
  parser.clear();
  CHECK(parser.buffered() == 0);
  CHECK(parser.next(r) == SmtpReplyParser::Status::need_more);
  parser.feed("bad\r\n");
  CHECK(parser.next(r) == SmtpReplyParser::Status::error);
  parser.clear();
  parser.feed("250 ok\r\n");
  REQUIRE(parser.next(r) == SmtpReplyParser::Status::reply);
  CHECK(r.code == 250);
}
