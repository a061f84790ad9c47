// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "protocols/common/dot_stuffing.hpp"
#include "tests/support/split_feed.hpp"

using mv::DotStuffer;
using mv::DotUnstuffer;

namespace {

std::string stuff(std::string_view input) {
  return mv::test::same_for_every_split<std::string>(
      input,
      [](const std::vector<std::string_view>& chunks) {
        DotStuffer s;
        std::string out;
        for (std::string_view c : chunks)
          s.encode(c, out);
        s.finish(out);
        return out;
      },
      [](const std::string& whole, const std::string& split, std::size_t i) {
        INFO("split " << i);
        CHECK(whole == split);
      });
}

struct Unstuffed {
  std::string text;
  bool finished = false;
  std::string rest;  // bytes after the terminator, handed back to the caller
  bool operator==(const Unstuffed&) const = default;
};

Unstuffed unstuff(std::string_view input) {
  return mv::test::same_for_every_split<Unstuffed>(
      input,
      [](const std::vector<std::string_view>& chunks) {
        DotUnstuffer u;
        Unstuffed out;
        for (std::string_view c : chunks) {
          if (u.finished()) {
            out.rest += c;
            continue;
          }
          const std::size_t used = u.decode(c, out.text);
          CHECK(used <= c.size());
          if (used < c.size()) CHECK(u.finished());
          out.rest += c.substr(used);
        }
        out.finished = u.finished();
        return out;
      },
      [](const Unstuffed& whole, const Unstuffed& split, std::size_t i) {
        INFO("split " << i);
        CHECK(whole == split);
      });
}

}  // namespace

TEST_CASE("common/dot_stuffing: stuffer doubles leading dots and terminates, for every split") {
  CHECK(stuff("Subject: x\r\n\r\n.\r\n..\r\n.x\r\nnot.dot\r\n") ==
        "Subject: x\r\n\r\n..\r\n...\r\n..x\r\nnot.dot\r\n.\r\n");
  CHECK(stuff(".starts the body\r\n") == "..starts the body\r\n.\r\n");
}

TEST_CASE("common/dot_stuffing: stuffer normalises bare LF and bare CR to CRLF") {
  CHECK(stuff("a\nb\rc\r\n\n.\r.d\n") == "a\r\nb\r\nc\r\n\r\n..\r\n..d\r\n.\r\n");
  CHECK(stuff("a\r\r\nb") == "a\r\n\r\nb\r\n.\r\n");  // CR CR LF: a bare CR, then a CRLF
  CHECK(stuff("x\r") == "x\r\n.\r\n");                // a CR at the very end is a line end
}

TEST_CASE("common/dot_stuffing: a body without final CRLF and an empty body") {
  CHECK(stuff("no newline") == "no newline\r\n.\r\n");
  CHECK(stuff(".") == "..\r\n.\r\n");
  CHECK(stuff("") == ".\r\n");
  CHECK(stuff("\r\n") == "\r\n.\r\n");
}

TEST_CASE("common/dot_stuffing: stuffer then unstuffer gives the normalised text back") {
  const std::string text = "l1\r\n.\r\n..two\r\n. \r\nend.\r\n";
  const std::string wire = stuff(text) + "+OK next\r\n";
  const Unstuffed u = unstuff(wire);
  CHECK(u.finished);
  CHECK(u.text == text);
  CHECK(u.rest == "+OK next\r\n");
}

TEST_CASE("common/dot_stuffing: unstuffer removes stuffed dots and stops at the terminator") {
  Unstuffed u = unstuff("line\r\n..x\r\n.y\r\n...\r\n\r\n.\r\nNEXT");
  CHECK(u.finished);
  CHECK(u.text == "line\r\n.x\r\ny\r\n..\r\n\r\n");
  CHECK(u.rest == "NEXT");

  Unstuffed empty = unstuff(".\r\n");
  CHECK(empty.finished);
  CHECK(empty.text.empty());
  CHECK(empty.rest.empty());

  Unstuffed lf = unstuff("a\n.\nrest");  // a lenient server's bare-LF terminator
  CHECK(lf.finished);
  CHECK(lf.text == "a\n");
  CHECK(lf.rest == "rest");

  Unstuffed cr = unstuff(".\rx\r\n.\r\n");  // "." CR not followed by LF is not the end
  CHECK(cr.finished);
  CHECK(cr.text == "\rx\r\n");
}

TEST_CASE(
    "common/dot_stuffing: unstuffer without terminator keeps waiting; decode after end is 0") {
  Unstuffed partial = unstuff("a\r\n.\r");
  CHECK_FALSE(partial.finished);
  CHECK(partial.text == "a\r\n");
  Unstuffed mid = unstuff("x.\r\n");  // a dot not at a line start is data
  CHECK_FALSE(mid.finished);
  CHECK(mid.text == "x.\r\n");

  DotUnstuffer u;
  std::string out;
  CHECK(u.decode(".\r\nabc", out) == 3);
  CHECK(u.finished());
  CHECK(u.decode("abc", out) == 0);
  u.reset();
  CHECK_FALSE(u.finished());
  CHECK(u.decode("abc", out) == 3);
  CHECK(out == "abc");
}
