// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "protocols/common/message.hpp"
#include "tests/support/split_feed.hpp"

using mv::BodyDigest;
using mv::MessageSpec;
using mv::TestMessage;

namespace {

MessageSpec spec(std::size_t body_size = 512) {
  MessageSpec s;
  s.from = "alice@example.org";
  s.to = "alice@example.org";
  s.token = "Ab12Cd34";
  s.date = "Tue, 1 Jul 2025 10:00:00 +0000";
  s.body_size = body_size;
  return s;
}

TestMessage compose_ok(const MessageSpec& s) {
  mv::Error e;
  auto m = TestMessage::compose(s, e);
  REQUIRE_MESSAGE(m.has_value(), e.code);
  return std::move(*m);
}

std::string read_all(TestMessage& m, std::size_t cap) {
  std::string out;
  std::vector<char> buf(cap);
  for (;;) {
    const std::size_t n = m.read(buf.data(), cap);
    if (n == 0) break;
    REQUIRE(n <= cap);
    out.append(buf.data(), n);
  }
  return out;
}

std::string digest_of(std::string_view body) {
  BodyDigest d;
  d.update(body);
  return d.finish();
}

std::string body_of(const std::string& message) {
  const std::size_t end = message.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  return message.substr(end + 4);
}

std::string with_lf_endings(const std::string& crlf) {
  std::string out;
  for (char c : crlf) {
    if (c != '\r') out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("common/message: headers carry the token and the account") {
  TestMessage m = compose_ok(spec());
  const std::string all = read_all(m, 4096);
  CHECK(all.size() == m.size());
  const std::string header = all.substr(0, all.find("\r\n\r\n") + 4);
  CHECK(header ==
        "From: alice@example.org\r\n"
        "To: alice@example.org\r\n"
        "Subject: mailverify round-trip test Ab12Cd34\r\n"
        "Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n"
        "Message-ID: <mailverify.Ab12Cd34@example.org>\r\n"
        "X-Mailverify-Token: Ab12Cd34\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\n");
  CHECK(m.token() == "Ab12Cd34");
  CHECK(m.message_id() == "<mailverify.Ab12Cd34@example.org>");
  CHECK(m.body_digest().size() == 64);
}

TEST_CASE("common/message: body is whole short CRLF lines derived from the token") {
  TestMessage m = compose_ok(spec(1000));
  const std::string body = body_of(read_all(m, 1 << 16));
  CHECK(body.size() >= 1000);
  CHECK(body.size() < 1000 + 80);
  REQUIRE(body.ends_with("\r\n"));
  std::size_t lines = 0;
  for (std::size_t pos = 0; pos < body.size();) {
    const std::size_t end = body.find("\r\n", pos);
    REQUIRE(end != std::string::npos);
    const std::string line = body.substr(pos, end - pos);
    CHECK(line.size() < 78);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    ++lines;
    CHECK(line.starts_with("mailverify Ab12Cd34 line " +
                           std::string(6 - std::to_string(lines).size(), '0') +
                           std::to_string(lines) + " "));
    pos = end + 2;
  }
  CHECK(lines > 1);

  MessageSpec other = spec(1000);
  other.token = "Zz99";
  TestMessage o = compose_ok(other);
  CHECK(body_of(read_all(o, 4096)) != body);
  CHECK(o.body_digest() != m.body_digest());

  TestMessage again = compose_ok(spec(1000));
  CHECK(again.body_digest() == m.body_digest());  // deterministic
}

TEST_CASE("common/message: reads with small caps give the same bytes as one big read; rewind") {
  TestMessage m = compose_ok(spec(3000));
  const std::string whole = read_all(m, 1 << 20);
  CHECK(whole.size() == m.size());
  CHECK(m.read(nullptr, 0) == 0);
  for (std::size_t cap : {1u, 2u, 3u, 7u, 73u, 74u, 75u, 1000u}) {
    INFO("cap " << cap);
    m.rewind();
    CHECK(read_all(m, cap) == whole);
  }
}

TEST_CASE("common/message: body_digest equals BodyDigest of the body read back, any split") {
  TestMessage m = compose_ok(spec(300));
  const std::string body = body_of(read_all(m, 4096));
  mv::test::same_for_every_split<std::string>(
      body,
      [](const std::vector<std::string_view>& chunks) {
        BodyDigest d;
        for (std::string_view c : chunks)
          d.update(c);
        return d.finish();
      },
      [](const std::string& whole, const std::string& split, std::size_t i) {
        INFO("split " << i);
        CHECK(whole == split);
      });
  CHECK(digest_of(body) == m.body_digest());
  CHECK(digest_of(with_lf_endings(body)) == m.body_digest());
  CHECK(digest_of(body + "\r\n") == m.body_digest());
  CHECK(digest_of(body + "\n\n\r\n") == m.body_digest());
  CHECK(digest_of(body.substr(0, body.size() - 2)) == m.body_digest());  // no final line end

  std::string changed = body;
  changed[10] = static_cast<char>(changed[10] ^ 1);
  CHECK(digest_of(changed) != m.body_digest());
  std::string extra_line = body;
  extra_line.insert(0, "\r\n");  // a leading empty line is content
  CHECK(digest_of(extra_line) != m.body_digest());
}

TEST_CASE("common/message: BodyDigest normalisation and CR split from LF") {
  const std::string want = digest_of("a\r\nb\r\n\r\nc");
  for (std::string_view variant :
       {"a\nb\n\nc", "a\rb\r\rc", "a\r\nb\n\rc\r\n\r\n", "a\rb\n\r\nc\n"}) {
    INFO(variant);
    mv::test::same_for_every_split<std::string>(
        variant,
        [](const std::vector<std::string_view>& chunks) {
          BodyDigest d;
          for (std::string_view c : chunks)
            d.update(c);
          return d.finish();
        },
        [&](const std::string&, const std::string& split, std::size_t i) {
          INFO("split " << i);
          CHECK(split == want);
        });
  }
  CHECK(digest_of("a\r\n\nb") != digest_of("a\r\nb"));  // CRLF LF is two line ends
  CHECK(digest_of("a\n\rb") != digest_of("a\r\nb"));    // LF CR is two line ends too
  // SHA-256 of the empty string: an empty body, or one of empty lines only.
  const std::string empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  CHECK(digest_of("") == empty);
  CHECK(digest_of("\r\n\r\n\n") == empty);
  CHECK(digest_of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  BodyDigest d;  // finish() starts over, and a moved digest carries its state
  d.update("ab");
  BodyDigest moved = std::move(d);
  moved.update("c");
  CHECK(moved.finish() == digest_of("abc"));
  moved.update("abc\r\n");
  CHECK(moved.finish() == digest_of("abc"));
}

TEST_CASE("common/message: compose refuses bad values with usage errors") {
  struct Case {
    MessageSpec s;
    const char* code;
  };
  std::vector<Case> cases;
  auto add = [&](auto mutate, const char* code) {
    MessageSpec s = spec();
    mutate(s);
    cases.push_back({s, code});
  };
  add([](MessageSpec& s) { s.from = "alice@example.org\r\nBcc: x@y"; }, "usage.bad_header_value");
  add([](MessageSpec& s) { s.to = "alice@example.org\n"; }, "usage.bad_header_value");
  add([](MessageSpec& s) { s.date += '\r'; }, "usage.bad_header_value");
  add([](MessageSpec& s) { s.date += std::string(1, '\0'); }, "usage.bad_header_value");
  add([](MessageSpec& s) { s.token = std::string("ab\0c", 4); }, "usage.bad_header_value");
  add([](MessageSpec& s) { s.token = ""; }, "usage.bad_token");
  add([](MessageSpec& s) { s.token = "ab-cd"; }, "usage.bad_token");
  add([](MessageSpec& s) { s.token = "ab cd"; }, "usage.bad_token");
  add([](MessageSpec& s) { s.token = std::string(41, 'a'); }, "usage.bad_token");
  add([](MessageSpec& s) { s.from = "alice"; }, "usage.bad_address");
  add([](MessageSpec& s) { s.to = "@example.org"; }, "usage.bad_address");
  add([](MessageSpec& s) { s.to = "bob@"; }, "usage.bad_address");
  add([](MessageSpec& s) { s.date = ""; }, "usage.bad_date");
  for (const Case& c : cases) {
    INFO(c.code);
    mv::Error e;
    CHECK_FALSE(TestMessage::compose(c.s, e).has_value());
    CHECK(e.category == mv::Category::usage);
    CHECK(e.code == c.code);
  }
  MessageSpec longest = spec();
  longest.token = std::string(40, 'z');
  mv::Error e;
  auto m = TestMessage::compose(longest, e);
  REQUIRE(m.has_value());
  const std::string body = body_of(read_all(*m, 4096));
  CHECK(body.find("\r\n") < 78);
}

TEST_CASE("common/message: empty body") {
  TestMessage m = compose_ok(spec(0));
  const std::string all = read_all(m, 100);
  CHECK(body_of(all).empty());
  CHECK(m.body_digest() == digest_of(""));
}

TEST_CASE("common/message: a 50 MB body streams in 64 KiB chunks") {
  const auto t0 = std::chrono::steady_clock::now();
  TestMessage m = compose_ok(spec(50u * 1024 * 1024));
  CHECK(m.size() >= 50u * 1024 * 1024);
  CHECK(m.size() < 50u * 1024 * 1024 + 4096);
  std::vector<char> buf(64 * 1024);
  std::size_t total = 0;
  std::string carry;
  BodyDigest d;
  bool in_body = false;
  for (;;) {
    const std::size_t n = m.read(buf.data(), buf.size());
    if (n == 0) break;
    total += n;
    std::string_view chunk(buf.data(), n);
    if (!in_body) {
      carry += chunk;  // the header is small: find its end, then stream the rest
      const std::size_t end = carry.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      in_body = true;
      d.update(std::string_view(carry).substr(end + 4));
      carry.clear();
      continue;
    }
    d.update(chunk);
  }
  CHECK(total == m.size());
  CHECK(d.finish() == m.body_digest());
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(secs < 20.0);
}

TEST_CASE("common/message: a reply carries In-Reply-To, References and Re:") {
  MessageSpec s = spec();
  s.from = "alice@example.org";
  s.to = "bob@example.net";
  s.in_reply_to = "<mailverify.Zz99@example.net>";
  TestMessage m = compose_ok(s);
  const std::string all = read_all(m, 4096);
  const std::string header = all.substr(0, all.find("\r\n\r\n") + 4);
  CHECK(header ==
        "From: alice@example.org\r\n"
        "To: bob@example.net\r\n"
        "Subject: Re: mailverify round-trip test Ab12Cd34\r\n"
        "Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n"
        "Message-ID: <mailverify.Ab12Cd34@example.org>\r\n"
        "In-Reply-To: <mailverify.Zz99@example.net>\r\n"
        "References: <mailverify.Zz99@example.net>\r\n"
        "X-Mailverify-Token: Ab12Cd34\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\n");
  s.in_reply_to = "<a>\r\nBcc: x@example.com";
  mv::Error e;
  CHECK_FALSE(TestMessage::compose(s, e));
  CHECK(e.code == "usage.bad_header_value");
}
