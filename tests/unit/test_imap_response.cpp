// SPDX-License-Identifier: Apache-2.0
// ImapResponseReader / parse_imap_response: every response kind, contextual lexing, streamed
// message literals, limits; every input at every split point.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/imap/response.hpp"
#include "tests/support/imap_responses.hpp"
#include "tests/support/split_feed.hpp"

namespace {

using mv::ImapResponse;
using mv::ImapResponseReader;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v)
    s += (s.empty() ? "" : ",") + x;
  return s;
}

// One line per response with every parsed field, so comparisons catch any difference.
std::string render(const ImapResponse& r) {
  std::string s;
  switch (r.kind) {
    case ImapResponse::Kind::tagged:
      s = "T[" + r.tag + "]";
      break;
    case ImapResponse::Kind::untagged:
      s = "U";
      break;
    case ImapResponse::Kind::continuation:
      s = "C";
      break;
  }
  s += " st=" + std::string(mv::imap_status_name(r.status));
  if (r.code) s += " code=" + r.code->name + "{" + r.code->args + "}";
  s += " text=" + r.text + " kw=" + r.keyword;
  if (r.number) s += " n=" + std::to_string(*r.number);
  if (!r.atoms.empty()) s += " atoms=" + join(r.atoms);
  for (auto n : r.numbers)
    s += " #" + std::to_string(n);
  if (r.fetch.uid) s += " uid=" + std::to_string(*r.fetch.uid);
  if (r.fetch.flags) s += " flags=" + join(*r.fetch.flags);
  if (r.fetch.internaldate) s += " date=" + *r.fetch.internaldate;
  if (r.fetch.rfc822_size) s += " size=" + std::to_string(*r.fetch.rfc822_size);
  if (!r.fetch.body_items.empty()) s += " body=" + join(r.fetch.body_items);
  if (!r.list.name.empty() || !r.list.attributes.empty()) {
    s += " list=" + join(r.list.attributes) + "|" + r.list.separator + "|" + r.list.name;
  }
  if (r.ns.present) s += " ns=" + r.ns.prefix + "|" + r.ns.separator;
  return s;
}

struct Sink final : mv::LiteralSink {
  std::vector<std::string> log;
  void literal_begin(std::uint32_t seq, std::string_view item, std::uint64_t size) override {
    log.push_back("begin " + std::to_string(seq) + " " + std::string(item) + " " +
                  std::to_string(size));
    log.push_back("");
  }
  void literal_data(std::string_view chunk) override { log.back().append(chunk); }
  void literal_end() override { log.push_back("end"); }
};

struct Parsed {
  std::vector<std::string> responses;
  std::vector<std::string> sink;
  std::string error;
  bool operator==(const Parsed&) const = default;
};

Parsed parse(const std::vector<std::string_view>& chunks, const mv::Limits& limits) {
  ImapResponseReader reader(limits);
  Sink sink;
  reader.set_sink(&sink);
  Parsed out;
  if (!mv::test::read_imap_responses(
          reader, chunks, [&](const ImapResponse& r) { out.responses.push_back(render(r)); })) {
    out.error = reader.error().code;
  }
  out.sink = sink.log;
  return out;
}

Parsed every_split(std::string_view input, const mv::Limits& limits = mv::kDefaultLimits) {
  return mv::test::same_for_every_split<Parsed>(
      input, [&](const std::vector<std::string_view>& c) { return parse(c, limits); },
      [&](const Parsed& whole, const Parsed& split, std::size_t i) {
        INFO("split " << i);
        CHECK(whole == split);
      });
}

std::string one(std::string_view line) {
  Parsed p = every_split(line);
  REQUIRE(p.error == "");
  REQUIRE(p.responses.size() == 1);
  return p.responses[0];
}

std::string error_of(std::string_view input, const mv::Limits& limits = mv::kDefaultLimits) {
  return every_split(input, limits).error;
}

}  // namespace

TEST_CASE("imap/response: greetings and status responses with codes") {
  CHECK(one("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Dovecot ready.\r\n") ==
        "U st=OK code=CAPABILITY{IMAP4rev1 SASL-IR AUTH=PLAIN} text=Dovecot ready. kw=OK");
  CHECK(one("* PREAUTH IMAP4rev1 server logged in as Smith\r\n") ==
        "U st=PREAUTH text=IMAP4rev1 server logged in as Smith kw=PREAUTH");
  CHECK(one("* BYE Autologout; idle for too long\r\n") ==
        "U st=BYE text=Autologout; idle for too long kw=BYE");
  CHECK(one("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n") ==
        "U st=OK code=UIDVALIDITY{3857529045} text=UIDs valid kw=OK");
  CHECK(one("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n") ==
        "U st=OK code=PERMANENTFLAGS{(\\Deleted \\Seen \\*)} text=Limited kw=OK");
  CHECK(one("* OK [ALERT] System shutdown in 10 minutes\r\n") ==
        "U st=OK code=ALERT{} text=System shutdown in 10 minutes kw=OK");
  CHECK(one("* NO [REFERRAL imap://x/INBOX] go away\r\n") ==
        "U st=NO code=REFERRAL{imap://x/INBOX} text=go away kw=NO");
}

TEST_CASE("imap/response: tagged replies keep code and words") {
  CHECK(one("A1 OK [READ-WRITE] SELECT completed\r\n") ==
        "T[A1] st=OK code=READ-WRITE{} text=SELECT completed kw=");
  CHECK(one("M12 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n") ==
        "T[M12] st=NO code=AUTHENTICATIONFAILED{} text=Authentication failed. kw=");
  CHECK(one("a NO AUTHENTICATE failed.\r\n") == "T[a] st=NO text=AUTHENTICATE failed. kw=");
  CHECK(one("x BAD [PRIVACYREQUIRED] no\r\n") == "T[x] st=BAD code=PRIVACYREQUIRED{} text=no kw=");
  CHECK(one("A3 OK [APPENDUID 38505 3955] APPEND completed\r\n") ==
        "T[A3] st=OK code=APPENDUID{38505 3955} text=APPEND completed kw=");
  CHECK(one("A4 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n") ==
        "T[A4] st=OK code=COPYUID{38505 304,319:320 3956:3958} text=Done kw=");
  CHECK(one("A5 ok\r\n") == "T[A5] st=OK text= kw=");
  CHECK(error_of("A1 MAYBE fine\r\n") == "imap.bad_response");
  CHECK(error_of("A1 OK [UNTERMINATED code\r\n") == "imap.bad_response");
  CHECK(error_of("+A1 OK\r\n").empty());  // a continuation, not a tag
}

TEST_CASE("imap/response: imap_status_text shows the code before the words") {
  auto text_of = [](std::string_view line) {
    ImapResponse r;
    std::string why;
    REQUIRE(mv::parse_imap_response(line, mv::kDefaultLimits, nullptr, r, why));
    return mv::imap_status_text(r);
  };
  CHECK(text_of("A1 NO [AUTHENTICATIONFAILED] Authentication failed.") ==
        "[AUTHENTICATIONFAILED] Authentication failed.");
  CHECK(text_of("A2 OK [APPENDUID 38505 3955] APPEND completed") ==
        "[APPENDUID 38505 3955] APPEND completed");
  CHECK(text_of("A3 NO [OVERQUOTA]") == "[OVERQUOTA]");
  CHECK(text_of("A4 BAD no code here") == "no code here");
  CHECK(text_of("A5 OK") == "");
}

TEST_CASE("imap/response: continuation") {
  CHECK(one("+ idling\r\n") == "C st= text=idling kw=");
  CHECK(one("+ \r\n") == "C st= text= kw=");
  CHECK(one("+\r\n") == "C st= text= kw=");
  CHECK(one("+ eyJzdGF0dXMiOiI0MDEifQ==\r\n") == "C st= text=eyJzdGF0dXMiOiI0MDEifQ== kw=");
}

TEST_CASE("imap/response: untagged data") {
  CHECK(one("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n") ==
        "U st= text= kw=CAPABILITY atoms=IMAP4rev1,STARTTLS,LOGINDISABLED");
  CHECK(one("* 23 EXISTS\r\n") == "U st= text= kw=EXISTS n=23");
  CHECK(one("* 5 expunge\r\n") == "U st= text= kw=EXPUNGE n=5");
  CHECK(one("* 0 RECENT\r\n") == "U st= text= kw=RECENT n=0");
  CHECK(one("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n") ==
        "U st= text= kw=FLAGS atoms=\\Answered,\\Flagged,\\Deleted,\\Seen,\\Draft,$Forwarded");
  CHECK(one("* SEARCH 2 84 882\r\n") == "U st= text= kw=SEARCH #2 #84 #882");
  CHECK(one("* SEARCH\r\n") == "U st= text= kw=SEARCH");
  CHECK(one("* SEARCH 7 (MODSEQ 917162500)\r\n") == "U st= text= kw=SEARCH #7");
  CHECK(one("* ESEARCH (TAG \"A1\") UID ALL 4:7\r\n") == "U st= text= kw=ESEARCH");
  CHECK(one("* ENABLED CONDSTORE\r\n") == "U st= text= kw=ENABLED atoms=CONDSTORE");
  CHECK(error_of("* SEARCH 1 x\r\n") == "imap.bad_response");
  CHECK(error_of("* SEARCH 4294967296\r\n") == "imap.bad_response");
  CHECK(error_of("* 4294967296 EXISTS\r\n").empty());  // not a number: an unknown keyword
}

TEST_CASE("imap/response: LIST and NAMESPACE") {
  CHECK(one("* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n") ==
        "U st= text= kw=LIST list=\\HasNoChildren,\\Trash|/|Trash");
  CHECK(one("* LIST (\\Sent) \".\" \"INBOX.Sent Items\"\r\n") ==
        "U st= text= kw=LIST list=\\Sent|.|INBOX.Sent Items");
  CHECK(one("* LIST () NIL INBOX\r\n") == "U st= text= kw=LIST list=||INBOX");
  CHECK(one("* LIST (\\Noselect) \"/\" {7}\r\nfoo bar\r\n") ==
        "U st= text= kw=LIST list=\\Noselect|/|foo bar");
  CHECK(one("* LIST (\\Subscribed) \"/\" \"a\\\"b\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n") ==
        "U st= text= kw=LIST list=\\Subscribed|/|a\"b");
  CHECK(one("* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL\r\n") ==
        "U st= text= kw=NAMESPACE ns=INBOX.|.");
  CHECK(one("* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\"))\r\n") ==
        "U st= text= kw=NAMESPACE ns=|/");
  CHECK(one("* NAMESPACE NIL NIL NIL\r\n") == "U st= text= kw=NAMESPACE");
  CHECK(error_of("* LIST (\\Trash) \"//\" x\r\n") == "imap.bad_response");
  CHECK(error_of("* LIST \\Trash \"/\" x\r\n") == "imap.bad_response");
}

TEST_CASE("imap/response: FETCH with a streamed BODY[] literal") {
  std::string input =
      "* 12 FETCH (UID 4827 FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
      "RFC822.SIZE 40 BODY[] {40}\r\nX-Mailverify-Token: abc\r\n\r\nhello \"{5}\"\r\n"
      ")\r\nA1 OK done\r\n";
  Parsed p = every_split(input);
  REQUIRE(p.error == "");
  REQUIRE(p.responses.size() == 2);
  CHECK(p.responses[0] ==
        "U st= text= kw=FETCH n=12 uid=4827 flags=\\Seen date=17-Jul-1996 02:44:25 -0700 "
        "size=40 body=BODY[]");
  CHECK(p.sink == std::vector<std::string>{"begin 12 BODY[] 40",
                                           "X-Mailverify-Token: abc\r\n\r\nhello \"{5}\"\r\n",
                                           "end"});
}

TEST_CASE("imap/response: FETCH body forms: quoted, NIL, sections, origin, after other items") {
  Parsed p = every_split(
      "* 1 FETCH (BODY[] \"short body\" UID 9)\r\n"
      "* 2 FETCH (UID 3 BODY[HEADER.FIELDS (MESSAGE-ID X-A)] {4}\r\nab\r\n BODY[]<0> {2}\r\nxy "
      "FLAGS ())\r\n"
      "* 3 FETCH (RFC822 {0}\r\n UID 4)\r\n"
      "* 4 FETCH (BODY[] NIL)\r\n");
  REQUIRE(p.error == "");
  REQUIRE(p.responses.size() == 4);
  CHECK(p.responses[0] == "U st= text= kw=FETCH n=1 uid=9 body=BODY[]");
  CHECK(
      p.responses[1] ==
      "U st= text= kw=FETCH n=2 uid=3 flags= body=BODY[HEADER.FIELDS (MESSAGE-ID X-A)],BODY[]<0>");
  CHECK(p.responses[2] == "U st= text= kw=FETCH n=3 uid=4 body=RFC822");
  CHECK(p.responses[3] == "U st= text= kw=FETCH n=4");
  CHECK(p.sink == std::vector<std::string>{"begin 1 BODY[] 10", "short body", "end",
                                           "begin 2 BODY[HEADER.FIELDS (MESSAGE-ID X-A)] 4",
                                           "ab\r\n", "end", "begin 2 BODY[]<0> 2", "xy", "end",
                                           "begin 3 RFC822 0", "", "end"});
}

TEST_CASE("imap/response: a streamed body never counts against the response size limit") {
  mv::Limits small;
  small.max_reply_bytes = 256;
  small.max_line = 64;
  std::string body(5000, 'b');
  std::string input = "* 7 FETCH (UID 1 BODY[] {5000}\r\n" + body + ")\r\n";
  Parsed p = parse({input}, small);
  CHECK(p.error == "");
  REQUIRE(p.sink.size() == 3);
  CHECK(p.sink[1] == body);
  // A literal that is not message data is assembled and therefore bounded.
  CHECK(error_of("* LIST () \"/\" {300}\r\n", small) == "imap.response_too_large");
}

TEST_CASE("imap/response: nesting depth limit") {
  mv::Limits l;
  l.max_list_depth = 3;
  CHECK(error_of("* 1 FETCH (BODYSTRUCTURE ((x)))\r\n", l).empty());
  CHECK(error_of("* 1 FETCH (BODYSTRUCTURE (((x))))\r\n", l) == "imap.bad_response");
  std::string deep = "* 1 FETCH (X " + std::string(5000, '(') + ")\r\n";
  CHECK(every_split(deep).error == "imap.bad_response");
}

TEST_CASE("imap/response: malformed lines are errors, sticky, naming the line") {
  CHECK(error_of("*\r\n") == "imap.bad_response");
  CHECK(error_of("* 1 FETCH UID 2\r\n") == "imap.bad_response");
  CHECK(error_of("* 1 FETCH (UID)\r\n") == "imap.bad_response");
  CHECK(error_of("* 1 FETCH (UID x)\r\n") == "imap.bad_response");
  CHECK(error_of("* 1 FETCH (FLAGS (\\Seen)\r\n") == "imap.bad_response");
  CHECK(error_of("* OK \"unterminated\r\n").empty());  // text is not lexed
  CHECK(error_of("* 1 FETCH (INTERNALDATE \"x)\r\n") == "imap.bad_response");
  ImapResponseReader reader;
  reader.feed("* 1 FETCH (UID x)\r\n* OK fine\r\n");
  ImapResponse r;
  CHECK(reader.next(r) == ImapResponseReader::Status::error);
  CHECK(reader.next(r) == ImapResponseReader::Status::error);
  CHECK(reader.error().server_says == "* 1 FETCH (UID x)");
}

TEST_CASE("imap/response: imap_streamed_item") {
  CHECK(mv::imap_streamed_item("* 1 FETCH (BODY[] {5}") == "BODY[]");
  CHECK(mv::imap_streamed_item("* 1 FETCH (UID 2 BODY[1.MIME]<10> {5+}") == "BODY[1.MIME]<10>");
  CHECK(mv::imap_streamed_item("* 1 FETCH (BINARY[1] ~{5}") == "BINARY[1]");
  CHECK(mv::imap_streamed_item("* 1 fetch (rfc822.text {5}") == "rfc822.text");
  CHECK_FALSE(mv::imap_streamed_item("* 1 FETCH (ENVELOPE (\"x\" {5}"));
  CHECK_FALSE(mv::imap_streamed_item("* LIST () \"/\" {5}"));
  CHECK_FALSE(mv::imap_streamed_item("A1 OK BODY[] {5}"));
}

namespace mv {
TEST_CASE("imap/response: after its own error the reader swallows every byte fed") {
  // Found by fuzz_imap_response: a response over max_reply_bytes failed the reader while the framer
  // was still fine, and feed() kept taking only what fit in a line, then 0 bytes: a caller's loop
  // spun forever.
  Limits limits;
  limits.max_line = 48;
  limits.max_reply_bytes = 64;
  ImapResponseReader reader(limits);
  std::string input = "* OK " + std::string(30, 'a') + " {30}\r\n" + std::string(30, 'b') + "\r\n";
  input += std::string(200, 'c');
  ImapResponse r;
  std::string_view rest = input;
  int rounds = 0;
  ImapResponseReader::Status st = ImapResponseReader::Status::need_more;
  while (!rest.empty() && rounds++ < 1000) {
    rest.remove_prefix(reader.feed(rest));
    while ((st = reader.next(r)) == ImapResponseReader::Status::response) {
    }
    if (st == ImapResponseReader::Status::error) break;
  }
  REQUIRE(st == ImapResponseReader::Status::error);
  CHECK(reader.error().code == "imap.response_too_large");
  // More than a line's worth, twice: nothing drains the framer any more, yet all is taken.
  const std::string more(500, 'x');
  CHECK(reader.feed(more) == more.size());
  CHECK(reader.feed(more) == more.size());
  CHECK(reader.next(r) == ImapResponseReader::Status::error);
}
}  // namespace mv
