// SPDX-License-Identifier: Apache-2.0
// ImapFramer: segments and literals at every split point, limits, sticky errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/imap/framer.hpp"
#include "tests/support/split_feed.hpp"

namespace {

using mv::ImapFramer;

// Runs the framer over the chunks and renders what it produced: "S:<text>" for a complete line,
// "S:<text>{n}" for a segment announcing a literal, "L:<bytes>" for a whole literal (chunks
// joined, so the rendering does not depend on the split), "E:<code>" for an error.
struct Framed {
  std::vector<std::string> items;
  bool mid = false;
  bool operator==(const Framed&) const = default;
};

Framed frame(const std::vector<std::string_view>& chunks, mv::Limits limits = mv::kDefaultLimits) {
  ImapFramer f(limits);
  Framed out;
  std::string literal;
  bool in_literal = false;
  auto drain = [&]() {
    for (;;) {
      ImapFramer::Piece p = f.next();
      if (p.kind == ImapFramer::Kind::need_more) return true;
      if (p.kind == ImapFramer::Kind::error) {
        out.items.push_back("E:" + f.error().code);
        return false;
      }
      if (p.kind == ImapFramer::Kind::segment) {
        REQUIRE_FALSE(in_literal);
        std::string s = "S:" + std::string(p.data);
        if (p.literal) {
          s += "#" + std::to_string(*p.literal);
          in_literal = true;
          literal.clear();
        }
        out.items.push_back(s);
      } else {
        REQUIRE(in_literal);
        literal.append(p.data);
        if (p.last) {
          out.items.push_back("L:" + literal);
          in_literal = false;
        }
      }
    }
  };
  for (std::string_view c : chunks) {
    while (!c.empty()) {
      std::size_t n = f.feed(c);
      c.remove_prefix(n);
      if (!drain()) return out;
    }
  }
  out.mid = f.mid_response();
  return out;
}

Framed every_split(std::string_view input, mv::Limits limits = mv::kDefaultLimits) {
  return mv::test::same_for_every_split<Framed>(
      input, [&](const std::vector<std::string_view>& c) { return frame(c, limits); },
      [&](const Framed& whole, const Framed& split, std::size_t i) {
        INFO("split " << i);
        CHECK(whole == split);
      });
}

}  // namespace

TEST_CASE("imap/framer: plain lines, CRLF and bare LF") {
  Framed f = every_split("* OK ready\r\nA1 OK done\n");
  CHECK(f.items == std::vector<std::string>{"S:* OK ready", "S:A1 OK done"});
  CHECK_FALSE(f.mid);
}

TEST_CASE("imap/framer: literal then continuation of the same line") {
  Framed f = every_split("* 1 FETCH (BODY[] {5}\r\nab\r\nc UID 7)\r\nA1 OK x\r\n");
  CHECK(f.items == std::vector<std::string>{"S:* 1 FETCH (BODY[] {5}#5", "L:ab\r\nc", "S: UID 7)",
                                            "S:A1 OK x"});
  CHECK_FALSE(f.mid);
}

TEST_CASE("imap/framer: {0}, {n+} and ~{n} literals") {
  Framed f = every_split(
      "* LIST () \"/\" {0}\r\n\r\n* X {3+}\r\nabc\r\n* 2 FETCH (BINARY[] ~{2}\r\nxy)\r\n");
  CHECK(f.items == std::vector<std::string>{"S:* LIST () \"/\" {0}#0", "L:", "S:", "S:* X {3+}#3",
                                            "L:abc", "S:", "S:* 2 FETCH (BINARY[] ~{2}#2", "L:xy",
                                            "S:)"});
}

TEST_CASE("imap/framer: NUL and line ends inside a literal are data") {
  std::string input = "* 1 FETCH (BODY[] {6}\r\n" + std::string("a\0b\r\n\n", 6) + ")\r\n";
  Framed f = every_split(input);
  REQUIRE(f.items.size() == 3);
  CHECK(f.items[1] == std::string("L:a\0b\r\n\n", 8));
  CHECK(f.items[2] == "S:)");
}

TEST_CASE("imap/framer: a {n} inside a quoted string is not a literal") {
  Framed f =
      every_split("* OK \"fake {50}\"\r\n* LIST () \"/\" \"a\\\"{3}\"\r\nA1 OK {2}\r\nzz\r\n");
  CHECK(f.items == std::vector<std::string>{"S:* OK \"fake {50}\"",
                                            "S:* LIST () \"/\" \"a\\\"{3}\"", "S:A1 OK {2}#2",
                                            "L:zz", "S:"});
  // An unterminated quote makes the marker part of the quoted text.
  Framed g = every_split("* OK \"open {5}\r\n");
  CHECK(g.items == std::vector<std::string>{"S:* OK \"open {5}"});
  // Not at the very end: not a marker.
  Framed h = every_split("* OK {5} more\r\n* OK {x}\r\n* OK {}\r\n");
  CHECK(h.items == std::vector<std::string>{"S:* OK {5} more", "S:* OK {x}", "S:* OK {}"});
}

TEST_CASE("imap/framer: literal size limit, overflow and huge sizes are errors") {
  mv::Limits small;
  small.max_literal = 10;
  CHECK(every_split("* 1 FETCH (BODY[] {11}\r\n", small).items ==
        std::vector<std::string>{"E:imap.literal_too_large"});
  CHECK(every_split("* 1 FETCH (BODY[] {10}\r\n0123456789)\r\n", small).items.size() == 3);
  CHECK(every_split("* 1 FETCH (BODY[] {99999999999999999999}\r\n").items ==
        std::vector<std::string>{"E:imap.literal_too_large"});
  CHECK(every_split("* 1 FETCH (BODY[] {18446744073709551615}\r\n").items ==
        std::vector<std::string>{"E:imap.literal_too_large"});
  CHECK(every_split("* 1 FETCH (BODY[] {4294967296}\r\n").items ==
        std::vector<std::string>{"E:imap.literal_too_large"});
}

TEST_CASE("imap/framer: line limit is an error, sticky, and input is swallowed") {
  mv::Limits small;
  small.max_line = 16;
  // 16 bytes with the CRLF fit; 17 do not.
  CHECK(every_split("* OK 012345678\r\n", small).items ==
        std::vector<std::string>{"S:* OK 012345678"});
  Framed f = every_split("* OK 0123456789\r\n* OK x\r\n", small);
  CHECK(f.items == std::vector<std::string>{"E:imap.line_too_long"});
  ImapFramer fr(small);
  fr.feed("* OK 0123456789012345");
  CHECK(fr.next().kind == ImapFramer::Kind::error);
  CHECK(fr.feed("more bytes") == 10);
  CHECK(fr.next().kind == ImapFramer::Kind::error);
  CHECK(fr.error().code == "imap.line_too_long");
}

TEST_CASE("imap/framer: truncated literal leaves the framer mid-response") {
  Framed f = every_split("* 1 FETCH (BODY[] {10}\r\nabc");
  CHECK(f.items == std::vector<std::string>{"S:* 1 FETCH (BODY[] {10}#10"});
  CHECK(f.mid);
  Framed g = every_split("* 1 FETCH (BODY[] {3}\r\nabc");  // literal done, line not
  CHECK(g.mid);
  Framed h = every_split("* OK partial");
  CHECK(h.mid);
}

TEST_CASE("imap/framer: literal bytes are streamed in chunks no larger than the buffer") {
  mv::Limits small;
  small.max_line = 64;
  std::string body(1000, 'x');
  std::string input = "* 1 FETCH (BODY[] {1000}\r\n" + body + ")\r\n";
  ImapFramer f(small);
  std::string_view in(input);
  std::size_t literal_bytes = 0, max_chunk = 0;
  while (!in.empty()) {
    in.remove_prefix(f.feed(in));
    for (;;) {
      auto p = f.next();
      if (p.kind == ImapFramer::Kind::need_more) break;
      REQUIRE(p.kind != ImapFramer::Kind::error);
      if (p.kind == ImapFramer::Kind::literal) {
        literal_bytes += p.data.size();
        max_chunk = std::max(max_chunk, p.data.size());
      }
    }
    CHECK(f.buffered() <= 64);
  }
  CHECK(literal_bytes == 1000);
  CHECK(max_chunk <= 64);
}

TEST_CASE("imap/framer: imap_trailing_literal") {
  bool bad = false;
  CHECK(mv::imap_trailing_literal("x {12}", 100, bad) == 12u);
  CHECK_FALSE(bad);
  CHECK(mv::imap_trailing_literal("x {12+}", 100, bad) == 12u);
  CHECK(mv::imap_trailing_literal("x ~{12}", 100, bad) == 12u);
  CHECK_FALSE(mv::imap_trailing_literal("\"x {12}\"", 100, bad));
  CHECK_FALSE(mv::imap_trailing_literal("\"x {12}", 100, bad));
  CHECK_FALSE(mv::imap_trailing_literal("x {+}", 100, bad));
  mv::imap_trailing_literal("x {101}", 100, bad);
  CHECK(bad);
}
