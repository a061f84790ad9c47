// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/common/line_reader.hpp"
#include "tests/support/split_feed.hpp"

using mv::LineReader;

namespace {

struct Outcome {
  std::vector<std::string> lines;
  LineReader::Status last = LineReader::Status::need_more;
  std::size_t buffered = 0;
  bool operator==(const Outcome&) const = default;
};

// Feeds every chunk, honouring feed()'s "took n bytes" contract, and drains lines as they appear.
Outcome run_reader(const std::vector<std::string_view>& chunks, std::size_t max_line) {
  LineReader r(max_line);
  Outcome out;
  auto drain = [&] {
    std::string_view line;
    while ((out.last = r.next(line)) == LineReader::Status::line)
      out.lines.emplace_back(line);
  };
  for (std::string_view chunk : chunks) {
    while (!chunk.empty()) {
      const std::size_t took = r.feed(chunk);
      CHECK(r.buffered() <= max_line);
      chunk.remove_prefix(took);
      drain();
      if (out.last == LineReader::Status::too_long) break;
      if (took == 0) REQUIRE(out.last == LineReader::Status::need_more);
    }
  }
  drain();
  out.buffered = r.buffered();
  return out;
}

Outcome every_split(std::string_view input, std::size_t max_line) {
  return mv::test::same_for_every_split<Outcome>(
      input, [&](const auto& chunks) { return run_reader(chunks, max_line); },
      [](const Outcome& whole, const Outcome& split, std::size_t i) {
        INFO("split " << i);
        CHECK(whole == split);
      });
}

}  // namespace

TEST_CASE("common/line_reader: CRLF, bare LF, empty lines, partial tail at every split") {
  const Outcome o = every_split("250-one\r\n250 two\n\r\nthree\r\r\nrest", 64);
  REQUIRE(o.lines.size() == 4);
  CHECK(o.lines[0] == "250-one");
  CHECK(o.lines[1] == "250 two");
  CHECK(o.lines[2] == "");
  CHECK(o.lines[3] == "three\r");  // only one trailing CR belongs to the line end
  CHECK(o.last == LineReader::Status::need_more);
  CHECK(o.buffered == 4);  // "rest" waits for its line end
}

TEST_CASE("common/line_reader: a line exactly at the bound passes, one byte more is too_long") {
  constexpr std::size_t kMax = 16;
  const std::string at_bound = std::string(kMax - 2, 'a') + "\r\n";
  const std::string lf_at_bound = std::string(kMax - 1, 'b') + "\n";
  const std::string over = std::string(kMax - 1, 'c') + "\r\n";

  Outcome ok = every_split(at_bound + "x\r\n", kMax);
  REQUIRE(ok.lines.size() == 2);
  CHECK(ok.lines[0] == std::string(kMax - 2, 'a'));
  CHECK(ok.lines[1] == "x");

  Outcome ok_lf = every_split(lf_at_bound, kMax);
  REQUIRE(ok_lf.lines.size() == 1);
  CHECK(ok_lf.lines[0] == std::string(kMax - 1, 'b'));

  Outcome bad = every_split("ok\r\n" + over + "after\r\n", kMax);
  REQUIRE(bad.lines.size() == 1);
  CHECK(bad.lines[0] == "ok");
  CHECK(bad.last == LineReader::Status::too_long);
}

TEST_CASE("common/line_reader: too_long is sticky until clear()") {
  LineReader r(8);
  CHECK(r.feed("123456789\r\n") == 8);
  std::string_view line;
  CHECK(r.next(line) == LineReader::Status::too_long);
  CHECK(r.feed("ok\r\n") == 4);  // swallowed: the reader is dead
  CHECK(r.next(line) == LineReader::Status::too_long);
  CHECK(r.take_raw(10).empty());
  CHECK(r.failed());
  r.clear();
  CHECK_FALSE(r.failed());
  CHECK(r.feed("ok\r\n") == 4);
  REQUIRE(r.next(line) == LineReader::Status::line);
  CHECK(line == "ok");
}

TEST_CASE("common/line_reader: take_raw after a line, for literals, then lines again") {
  const std::string input = "* 1 FETCH {5}\r\nab\ncd)\r\nA1 OK\r\n";
  mv::test::same_for_every_split<std::vector<std::string>>(
      input,
      [](const std::vector<std::string_view>& chunks) {
        LineReader r(64);
        std::vector<std::string> events;
        std::size_t literal_left = 0;
        auto drain = [&] {
          for (;;) {
            if (literal_left > 0) {
              std::string_view raw = r.take_raw(literal_left);
              if (raw.empty()) return;
              literal_left -= raw.size();
              if (events.empty() || events.back().rfind("raw:", 0) != 0) events.push_back("raw:");
              events.back() += raw;
              continue;
            }
            std::string_view line;
            if (r.next(line) != LineReader::Status::line) return;
            events.emplace_back(line);
            if (line.ends_with("{5}")) literal_left = 5;
          }
        };
        for (std::string_view c : chunks) {
          while (!c.empty()) {
            c.remove_prefix(r.feed(c));
            drain();
          }
        }
        return events;
      },
      [](const auto& whole, const auto& split, std::size_t i) {
        INFO("split " << i);
        CHECK(whole == split);
      });
  LineReader r(64);
  r.feed(input);
  std::string_view line;
  REQUIRE(r.next(line) == LineReader::Status::line);
  CHECK(line == "* 1 FETCH {5}");
  CHECK(r.take_raw(5) == "ab\ncd");
  REQUIRE(r.next(line) == LineReader::Status::line);
  CHECK(line == ")");
  REQUIRE(r.next(line) == LineReader::Status::line);
  CHECK(line == "A1 OK");
  CHECK(r.next(line) == LineReader::Status::need_more);
  CHECK(r.buffered() == 0);
}

TEST_CASE("common/line_reader: feed takes only what fits; next() makes room; clear() forgets") {
  LineReader r(10);
  CHECK(r.feed("ab\r\ncdefghijkl\r\n") == 10);  // "ab\r\n" + 6 bytes
  std::string_view line;
  REQUIRE(r.next(line) == LineReader::Status::line);
  CHECK(line == "ab");
  CHECK(r.buffered() == 6);
  CHECK(r.feed("ijkl\r\n") == 4);  // room for 4 more once "ab\r\n" is dropped
  CHECK(r.buffered() == 10);
  CHECK(r.next(line) == LineReader::Status::too_long);  // 10 bytes, no LF: cannot fit

  LineReader s(32);
  s.feed("220 ready\r\nINJECTED\r\n");
  REQUIRE(s.next(line) == LineReader::Status::line);
  CHECK(s.buffered() == 10);  // what a STARTTLS client must treat as an attack
  s.clear();
  CHECK(s.buffered() == 0);
  CHECK(s.next(line) == LineReader::Status::need_more);
}

TEST_CASE("common/line_reader: a long line fed byte by byte stays linear and is found") {
  constexpr std::size_t kMax = 64 * 1024;
  std::string input(kMax - 2, 'x');
  input += "\r\n";
  LineReader r(kMax);
  std::string_view line;
  for (std::size_t i = 0; i < input.size(); ++i) {
    REQUIRE(r.feed(std::string_view(input).substr(i, 1)) == 1);
    if (i + 1 < input.size()) REQUIRE(r.next(line) == LineReader::Status::need_more);
  }
  REQUIRE(r.next(line) == LineReader::Status::line);
  CHECK(line.size() == kMax - 2);
}
