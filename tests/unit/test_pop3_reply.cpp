// SPDX-License-Identifier: Apache-2.0
// POP3 response framing and grammar: status lines, list bodies, streamed payloads, truncation,
// bounds, UIDL/LIST/CAPA/STAT grammar. Every stream is fed at every split.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/pop3/reply.hpp"
#include "tests/support/split_feed.hpp"

namespace {

using mv::Pop3ReplyReader;
using Result = mv::Pop3ReplyReader::Result;

// Drives a reader over chunks. plan[i] says what follows the i-th +OK status: 'L' list, 'P'
// payload, anything else (or past the end) nothing. Payload chunks are joined per payload, so the
// transcript does not depend on the split. eof: call on_eof() at the end.
std::string drive(const std::vector<std::string_view>& chunks, std::string_view plan, bool eof,
                  mv::Limits limits = mv::kDefaultLimits, std::size_t* max_chunk = nullptr) {
  Pop3ReplyReader reader(limits);
  std::string out;
  std::string payload;
  std::size_t status_index = 0;
  bool failed = false;
  auto pump = [&] {
    while (!failed) {
      switch (reader.next()) {
        case Result::status: {
          const auto& st = reader.status();
          out += std::string("S(") + (st.ok ? "+" : "-") + "|" + st.code + "|" + st.text + ")";
          const char p = status_index < plan.size() ? plan[status_index] : '-';
          ++status_index;
          if (st.ok && p == 'L') reader.expect_list();
          if (st.ok && p == 'P') reader.expect_payload();
          break;
        }
        case Result::continuation:
          out += "C(" + std::string(reader.continuation()) + ")";
          break;
        case Result::list_item:
          out += "I(" + std::string(reader.item()) + ")";
          break;
        case Result::list_end:
          out += ".";
          break;
        case Result::payload:
          CHECK_FALSE(reader.payload().empty());
          if (max_chunk) *max_chunk = std::max(*max_chunk, reader.payload().size());
          payload += reader.payload();
          break;
        case Result::payload_end:
          out += "P(" + payload + ")";
          payload.clear();
          break;
        case Result::need_more:
          return;
        case Result::error:
          out += "!" + reader.error().code;
          failed = true;
          return;
      }
    }
  };
  for (std::string_view chunk : chunks) {
    while (!chunk.empty()) {
      const std::size_t n = reader.feed(chunk);
      chunk.remove_prefix(n);
      pump();
      if (n == 0 && !failed) {
        FAIL("reader took nothing and reported no error");
        return out;
      }
    }
  }
  pump();
  if (eof && reader.on_eof()) out += "!" + reader.error().code;
  return out;
}

std::string every_split(std::string_view input, std::string_view plan, bool eof = false,
                        mv::Limits limits = mv::kDefaultLimits) {
  return mv::test::same_for_every_split<std::string>(
      input, [&](const auto& chunks) { return drive(chunks, plan, eof, limits); },
      [](const std::string& whole, const std::string& split, std::size_t i) {
        INFO("split #" << i);
        CHECK(split == whole);
      });
}

}  // namespace

TEST_CASE("pop3/reply: status lines, response codes and continuations at every split") {
  const std::string input =
      "+OK\r\n"
      "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n"
      "-ERR [AUTH] Invalid login\r\n"
      "-ERR [SYS/PERM] Your account is locked\r\n"
      "-ERR [IN-USE] Mailbox busy\n"
      "-ERR [not a code\r\n"
      "-ERR []\r\n"
      "-ERR\r\n"
      "+ \r\n"
      "+\r\n"
      "+ VXNlcm5hbWU6\r\n";
  CHECK(every_split(input, "") ==
        "S(+||)"
        "S(+||POP3 ready <1896.697170952@dbc.mtview.ca.us>)"
        "S(-|AUTH|Invalid login)"
        "S(-|SYS/PERM|Your account is locked)"
        "S(-|IN-USE|Mailbox busy)"
        "S(-||[not a code)"
        "S(-||[])"
        "S(-||)"
        "C()C()C(VXNlcm5hbWU6)");
}

TEST_CASE("pop3/reply: parse_status_line refuses what is not +OK or -ERR") {
  for (std::string_view bad : {"", "OK", "+ok", "+OKAY", "-ERROR x", " +OK", "* OK", "+OK\tx"}) {
    INFO(bad);
    CHECK_FALSE(mv::parse_status_line(bad).has_value());
  }
  auto st = mv::parse_status_line("-ERR [AUTH] bad");
  REQUIRE(st);
  CHECK_FALSE(st->ok);
  CHECK(st->code == "AUTH");
  CHECK(st->text == "bad");
  CHECK(st->words() == "-ERR [AUTH] bad");
  CHECK(mv::parse_status_line("-ERR [A//B] x")->code.empty());
}

TEST_CASE("pop3/reply: a line that is neither +OK nor -ERR is a sticky protocol error") {
  CHECK(every_split("+OK hi\r\nHELLO\r\n+OK later\r\n", "") == "S(+||hi)!pop3.bad_status");
}

TEST_CASE("pop3/reply: list bodies un-stuff dots and end at the lone dot, at every split") {
  const std::string input =
      "+OK Capability list follows\r\n"
      "TOP\r\n"
      "..STUFFED\r\n"
      "...\r\n"
      "\r\n"
      "USER\n"
      ".\r\n"
      "-ERR next\r\n"
      "+OK\r\n"
      ".\r\n";
  CHECK(every_split(input, "L-L") ==
        "S(+||Capability list follows)I(TOP)I(.STUFFED)I(..)I()I(USER)."
        "S(-||next)S(+||).");
}

TEST_CASE("pop3/reply: payloads stream un-stuffed up to the terminator, at every split") {
  const std::string input =
      "+OK 42 octets\r\n"
      "Subject: x\r\n"
      "\r\n"
      "..hidden\r\n"
      "...two\r\n"
      ". not the end\r\n"
      "end\r\n"
      ".\r\n"
      "+OK\r\n"
      ".\r\n"
      "+OK next\r\n";
  CHECK(every_split(input, "PP") ==
        "S(+||42 octets)"
        "P(Subject: x\r\n\r\n.hidden\r\n..two\r\n not the end\r\nend\r\n)"
        "S(+||)P()S(+||next)");
}

TEST_CASE("pop3/reply: payload lines may exceed the line limit; chunks stay bounded") {
  mv::Limits limits;
  limits.max_line = 32;
  limits.output_chunk = 8;
  const std::string long_line(200, 'x');
  const std::string input = "+OK\r\n" + long_line + "\r\n..y\r\n.\r\n+OK after\r\n";
  const std::string expected = "S(+||)P(" + long_line + "\r\n.y\r\n)S(+||after)";
  CHECK(every_split(input, "P", false, limits) == expected);
  std::size_t max_chunk = 0;
  CHECK(drive({input}, "P", false, limits, &max_chunk) == expected);
  CHECK(max_chunk <= 8);
  CHECK(max_chunk > 0);
}

TEST_CASE("pop3/reply: a status or list line over the limit is an error") {
  mv::Limits limits;
  limits.max_line = 16;
  CHECK(every_split("+OK " + std::string(20, 'a') + "\r\n", "", false, limits) ==
        "!pop3.line_too_long");
  CHECK(every_split("+OK\r\n" + std::string(20, 'b') + "\r\n.\r\n", "L", false, limits) ==
        "S(+||)!pop3.line_too_long");
}

TEST_CASE("pop3/reply: EOF before the terminator is pop3.truncated, at every split") {
  CHECK(every_split("+OK\r\nSubject: x\r\n\r\nbody\r\n", "P", true) == "S(+||)!pop3.truncated");
  CHECK(every_split("+OK\r\nbody\r\n.", "P", true) == "S(+||)!pop3.truncated");
  CHECK(every_split("+OK\r\nbody\r\n.\r", "P", true) == "S(+||)!pop3.truncated");
  CHECK(every_split("+OK\r\nTOP\r\nUSER\r\n", "L", true) == "S(+||)I(TOP)I(USER)!pop3.truncated");
  CHECK(every_split("+OK partial", "", true) == "!pop3.truncated");
  // A complete exchange followed by EOF is not truncated: the client decides what that means.
  CHECK(every_split("+OK\r\nbody\r\n.\r\n", "P", true) == "S(+||)P(body\r\n)");
  CHECK(every_split("+OK bye\r\n", "", true) == "S(+||bye)");
  mv::Pop3ReplyReader reader;
  reader.feed("+OK\r\nx");
  CHECK(reader.next() == Result::status);
  reader.expect_payload();
  CHECK(reader.next() == Result::payload);
  CHECK(reader.on_eof());
  CHECK(reader.error().category == mv::Category::network);
  CHECK(reader.next() == Result::error);  // sticky
}

TEST_CASE("pop3/reply: UIDL lines with odd unique-ids are pop3.bad_uidl") {
  std::vector<mv::Pop3Listing> list;
  mv::Error e;
  CHECK(mv::add_uidl_line("1 whqtswO00WBw418f9t5JxYwZ", list, e));
  CHECK(mv::add_uidl_line("2 " + std::string(70, '~'), list, e));
  CHECK(mv::add_uidl_line("3 !", list, e));
  REQUIRE(list.size() == 3);
  CHECK(list[0].number == 1);
  CHECK(list[0].uid == "whqtswO00WBw418f9t5JxYwZ");
  CHECK(list[1].uid.size() == 70);
  const std::vector<std::string> bad = {"1 ",
                                        "1",
                                        "1  abc",
                                        "1 " + std::string(71, 'a'),
                                        "1 ab\x01"
                                        "c",
                                        "1 ab c",
                                        "1 ab\x7f",
                                        "1 \xc3\xa9t\xc3\xa9",
                                        "0 abc",
                                        "x abc",
                                        " 1 abc",
                                        "99999999999 abc",
                                        "-1 abc",
                                        "1 abc\tdef",
                                        "",
                                        std::string("1 a\0b", 5)};
  for (const auto& line : bad) {
    INFO(line);
    mv::Error err;
    std::vector<mv::Pop3Listing> l;
    CHECK_FALSE(mv::add_uidl_line(line, l, err));
    CHECK(err.code == "pop3.bad_uidl");
    CHECK(err.category == mv::Category::protocol);
    CHECK(l.empty());
  }
  mv::Error too_many;
  std::vector<mv::Pop3Listing> two;
  CHECK(mv::add_uidl_line("1 a", two, too_many, 2));
  CHECK(mv::add_uidl_line("2 b", two, too_many, 2));
  CHECK_FALSE(mv::add_uidl_line("3 c", two, too_many, 2));
  CHECK(too_many.code == "pop3.listing_too_long");
  CHECK(two.size() == 2);
}

TEST_CASE("pop3/reply: LIST lines, STAT and the APOP timestamp") {
  std::vector<mv::Pop3Listing> list;
  mv::Error e;
  CHECK(mv::add_list_line("1 120", list, e));
  CHECK(mv::add_list_line("2 5000000000", list, e));
  REQUIRE(list.size() == 2);
  CHECK(list[1].size == 5000000000ull);
  CHECK(list[1].uid.empty());
  for (std::string_view bad : {"1", "1 x", "0 12", "a 1", ""}) {
    INFO(bad);
    mv::Error err;
    CHECK_FALSE(mv::add_list_line(bad, list, err));
    CHECK(err.code == "pop3.bad_list");
  }
  std::uint32_t count = 0;
  std::uint64_t size = 0;
  CHECK(mv::parse_stat("2 320", count, size));
  CHECK(count == 2);
  CHECK(size == 320);
  CHECK(mv::parse_stat("0 0 extra words", count, size));
  CHECK(count == 0);
  for (std::string_view bad : {"", "2", "x 3", "2 y", "4294967296 1"}) {
    INFO(bad);
    CHECK_FALSE(mv::parse_stat(bad, count, size));
  }
  CHECK(mv::apop_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>") ==
        "<1896.697170952@dbc.mtview.ca.us>");
  CHECK(mv::apop_timestamp("ready").empty());
  CHECK(mv::apop_timestamp("ready <no end").empty());
  CHECK(mv::apop_timestamp("ready <a b>").empty());
}

TEST_CASE("pop3/reply: CAPA lines and their bound") {
  mv::Pop3Capabilities caps;
  mv::Error e;
  for (std::string_view line :
       {"TOP", "user", "SASL PLAIN XOAUTH2 GSSAPI plain", "STLS", "PIPELINING", "RESP-CODES",
        "IMPLEMENTATION Dovecot 2.3", "UIDL", "EXPIRE NEVER", ""}) {
    CHECK(mv::add_capability_line(line, caps, mv::kDefaultLimits, e));
  }
  CHECK(caps.top);
  CHECK(caps.user);
  CHECK(caps.uidl);
  CHECK(caps.stls);
  CHECK(caps.pipelining);
  CHECK(caps.resp_codes);
  CHECK_FALSE(caps.auth_resp_code);
  CHECK(caps.sasl_listed);
  CHECK(caps.sasl == std::vector<mv::Mechanism>{mv::Mechanism::plain, mv::Mechanism::xoauth2});
  CHECK(caps.sasl_names.size() == 4);
  CHECK(caps.implementation == "Dovecot 2.3");

  mv::Limits limits;
  limits.max_capabilities = 3;
  mv::Pop3Capabilities few;
  CHECK(mv::add_capability_line("TOP", few, limits, e));
  CHECK(mv::add_capability_line("USER", few, limits, e));
  CHECK(mv::add_capability_line("UIDL", few, limits, e));
  CHECK_FALSE(mv::add_capability_line("STLS", few, limits, e));
  CHECK(e.code == "pop3.too_many_capabilities");
  CHECK_FALSE(few.stls);
}
