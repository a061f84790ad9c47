// SPDX-License-Identifier: Apache-2.0
// ImapClient conversations as transcripts: server bytes in, the exact client bytes out. Tags are
// predicted with ImapTagGenerator and the same seed the client gets.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/folder_map.hpp"
#include "protocols/common/base64.hpp"
#include "protocols/common/message.hpp"
#include "protocols/imap/client.hpp"
#include "protocols/imap/mutf7.hpp"
#include "tests/support/split_feed.hpp"

namespace {

using mv::ImapClient;
using mv::ImapOptions;

constexpr std::uint64_t kSeed = 0x5eed1234abcdULL;

ImapOptions options(mv::TlsMode tls = mv::TlsMode::implicit) {
  ImapOptions o;
  o.tls = tls;
  o.credentials.user = "user";
  o.credentials.secret = "s3cret-pass";
  o.tag_seed = kSeed;
  return o;
}

struct Transcript {
  explicit Transcript(ImapOptions o) : client(std::move(o)), gen(kSeed) {}

  // Tag of the i-th command (0-based), as the client will make it.
  std::string tag(std::size_t i) {
    while (tags.size() <= i)
      tags.push_back(gen.next());
    return tags[i];
  }
  void server(std::string_view bytes) { client.on_bytes(bytes); }
  std::string sent() {
    std::string s(client.output());
    client.consume(s.size());
    return s;
  }
  std::vector<std::string> steps() {
    std::vector<std::string> out;
    while (auto e = client.next_event()) {
      out.push_back(e->step);
      details += e->detail + "\n";
    }
    return out;
  }

  ImapClient client;
  mv::ImapTagGenerator gen;
  std::vector<std::string> tags;
  std::string details;
};

const std::string kPlainIr = mv::base64_encode(std::string("\0user\0s3cret-pass", 17));

// Implicit TLS, SASL-IR PLAIN with the SELECT behind it in one flight, capabilities in the login
// reply, INBOX selected: ready. Commands used: tag(0) AUTHENTICATE, tag(1) SELECT.
void login_and_select(Transcript& t, std::string_view post_login_caps) {
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN] Dovecot ready.\r\n");
  REQUIRE(t.sent() ==
          t.tag(0) + " AUTHENTICATE PLAIN " + kPlainIr + "\r\n" + t.tag(1) + " SELECT INBOX\r\n");
  t.server(t.tag(0) + " OK [CAPABILITY " + std::string(post_login_caps) + "] Logged in\r\n");
  REQUIRE(t.sent().empty());
  t.server(
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags.\r\n"
      "* 3 EXISTS\r\n* 0 RECENT\r\n"
      "* OK [UIDVALIDITY 1700000000] UIDs valid\r\n* OK [UIDNEXT 9] Predicted next UID\r\n" +
      t.tag(1) + " OK [READ-WRITE] Select completed.\r\n");
  REQUIRE(t.client.ready());
  REQUIRE_FALSE(t.client.error());
}

const char* kFullCaps =
    "IMAP4rev1 SASL-IR LITERAL+ IDLE UIDPLUS MOVE SPECIAL-USE LIST-EXTENDED NAMESPACE";

}  // namespace

TEST_CASE("imap/client: tags are unpredictable-looking, distinct and reproducible from the seed") {
  mv::ImapTagGenerator a(1), b(1), c(2);
  std::string a1 = a.next(), a2 = a.next();
  CHECK(a1 == b.next());
  CHECK(a1 != a2);
  CHECK(a1 != c.next());
  CHECK(a1.size() == 11);
  CHECK(a1.find_first_not_of("M0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos);
}

TEST_CASE("imap/client: implicit TLS, SASL-IR PLAIN, SELECT captures the mailbox") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  CHECK(t.steps() == std::vector<std::string>{"imap.greeting", "imap.auth", "imap.select"});
  const auto& mb = t.client.mailbox();
  CHECK(mb.name == "INBOX");
  CHECK(mb.exists == 3);
  CHECK(mb.uidvalidity == 1700000000u);
  CHECK(mb.uidnext == 9u);
  CHECK(mb.permanent_flags.size() == 6);
  CHECK(mb.flags.size() == 5);
  CHECK(t.client.capabilities().uidplus);
  CHECK(t.client.tls_active());
  CHECK(t.client.turns() == 1);  // AUTHENTICATE with the SELECT behind it
  CHECK(t.details.find("s3cret") == std::string::npos);
  CHECK(t.details.find(kPlainIr) == std::string::npos);
}

TEST_CASE("imap/client: greeting without capabilities asks; login reply without them asks again") {
  Transcript t(options());
  t.server("* OK ready\r\n");
  CHECK(t.sent() == t.tag(0) + " CAPABILITY\r\n");
  t.server("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + t.tag(0) + " OK done\r\n");
  CHECK(t.sent() == t.tag(1) + " AUTHENTICATE PLAIN\r\n");  // no SASL-IR: wait for "+"
  t.server("+ \r\n");
  CHECK(t.sent() == kPlainIr + "\r\n");
  t.server(t.tag(1) + " OK Logged in\r\n");
  // The SELECT needs no capability: it goes out in the same flight.
  CHECK(t.sent() == t.tag(2) + " CAPABILITY\r\n" + t.tag(3) + " SELECT INBOX\r\n");
  t.server("* CAPABILITY IMAP4rev1 UIDPLUS\r\n" + t.tag(2) + " OK done\r\n");
  CHECK(t.sent().empty());
  CHECK_FALSE(t.client.ready());
  t.server("* 4 EXISTS\r\n" + t.tag(3) + " OK [READ-WRITE] selected\r\n");
  CHECK(t.client.ready());
  CHECK(t.client.capabilities().uidplus);
  CHECK(t.client.mailbox().exists == 4);
  CHECK(t.client.turns() == 4);  // CAPABILITY, AUTHENTICATE, its "+", CAPABILITY + SELECT
}

// outlook.office365.com as MailKit and imapsync logs show it: no capabilities in the greeting or
// in the AUTHENTICATE reply, more of them after login (MOVE, IDLE) than before.
TEST_CASE("imap/client: Exchange: XOAUTH2, then CAPABILITY and SELECT in one flight") {
  ImapOptions o = options();
  o.credentials.is_token = true;
  o.credentials.secret = "ya29.token";
  Transcript t(std::move(o));
  t.server("* OK The Microsoft Exchange IMAP4 service is ready. [TQBXAEgA]\r\n");
  CHECK(t.sent() == t.tag(0) + " CAPABILITY\r\n");
  t.server(
      "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT "
      "CHILDREN IDLE NAMESPACE LITERAL+\r\n" +
      t.tag(0) + " OK CAPABILITY completed.\r\n");
  const std::string ir =
      mv::base64_encode(std::string("user=user\x01"
                                    "auth=Bearer ya29.token\x01\x01"));
  CHECK(t.sent() == t.tag(1) + " AUTHENTICATE XOAUTH2 " + ir + "\r\n");
  t.server(t.tag(1) + " OK AUTHENTICATE completed.\r\n");
  CHECK(t.sent() == t.tag(2) + " CAPABILITY\r\n" + t.tag(3) + " SELECT INBOX\r\n");
  CHECK_FALSE(t.client.capabilities().move);
  t.server(
      "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT "
      "CLIENTACCESSRULES CLIENTNETWORKPRESENCELOCATION BACKENDAUTHENTICATE CHILDREN IDLE "
      "NAMESPACE LITERAL+\r\n" +
      t.tag(2) + " OK CAPABILITY completed.\r\n");
  CHECK(t.client.capabilities().move);
  t.server(
      "* 12 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Answered \\Flagged \\Deleted "
      "\\Draft $MDNSent)\r\n* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted "
      "\\Draft $MDNSent)] Permanent flags\r\n* OK [UIDVALIDITY 14] UIDVALIDITY value\r\n"
      "* OK [UIDNEXT 2051] The next unique identifier value\r\n" +
      t.tag(3) + " OK [READ-WRITE] SELECT completed.\r\n");
  REQUIRE(t.client.ready());
  CHECK(t.sent().empty());
  CHECK(t.client.mailbox().exists == 12);
  CHECK(t.client.mailbox().uidnext == 2051u);
  CHECK(t.steps() == std::vector<std::string>{"imap.greeting", "imap.auth", "imap.select"});
  CHECK(t.client.turns() == 3);
}

TEST_CASE("imap/client: a refused CAPABILITY after login fails, whatever the pipelined SELECT") {
  Transcript t(options());
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
  t.sent();
  t.server(t.tag(0) + " OK Logged in\r\n");
  CHECK(t.sent() == t.tag(2) + " CAPABILITY\r\n");  // behind the SELECT (tag 1) in flight
  t.server(t.tag(1) + " OK [READ-WRITE] selected\r\n" + t.tag(2) + " BAD no\r\n");
  REQUIRE(t.client.error());
  CHECK(t.client.error().code == "imap.capability_failed");
  CHECK_FALSE(t.client.ready());
}

TEST_CASE("imap/client: a mailbox name that needs a literal is not pipelined") {
  ImapOptions o = options();
  o.mailbox = "Inbox \"quoted\"";  // a quoted string cannot hold '"': a literal
  Transcript t(std::move(o));
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN] ready\r\n");
  t.sent();
  t.server(t.tag(0) + " OK Logged in\r\n");
  CHECK(t.sent() == t.tag(1) + " CAPABILITY\r\n");
  t.server("* CAPABILITY IMAP4rev1 LITERAL+\r\n" + t.tag(1) + " OK done\r\n");
  CHECK(t.sent() == t.tag(2) + " SELECT {14+}\r\nInbox \"quoted\"\r\n");
}

TEST_CASE("imap/client: STARTTLS, then everything learnt before TLS is dropped") {
  auto o = options(mv::TlsMode::starttls);
  o.mailbox = "Mail Box";
  Transcript t(o);
  t.server("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n");
  CHECK(t.sent() == t.tag(0) + " STARTTLS\r\n");
  t.server("* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n");  // before the OK: to be forgotten
  t.server(t.tag(0) + " OK Begin TLS negotiation now.\r\n");
  CHECK(t.client.wants_tls());
  CHECK(t.sent().empty());
  CHECK_FALSE(t.client.tls_active());
  t.client.on_tls_ready();
  CHECK_FALSE(t.client.wants_tls());
  CHECK(t.client.tls_active());
  CHECK(t.client.capabilities().names.empty());
  CHECK(t.sent() == t.tag(1) + " CAPABILITY\r\n");
  t.server("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + t.tag(1) + " OK\r\n");
  CHECK(t.sent() == t.tag(2) + " AUTHENTICATE PLAIN\r\n");  // SASL-IR was pre-TLS only
  t.server("+\r\n");
  CHECK(t.sent() == kPlainIr + "\r\n");
  t.server(t.tag(2) + " OK [CAPABILITY IMAP4rev1] in\r\n");
  CHECK(t.sent() == t.tag(3) + " SELECT \"Mail Box\"\r\n");
  CHECK(t.steps() == std::vector<std::string>{"imap.greeting", "imap.starttls", "imap.auth"});
}

TEST_CASE("imap/client: bytes after the STARTTLS OK are an injection: abort, send nothing") {
  for (auto extra : {std::string("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"), std::string("x")}) {
    for (bool same_chunk : {true, false}) {
      Transcript t(options(mv::TlsMode::starttls));
      t.server("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
      REQUIRE(t.sent() == t.tag(0) + " STARTTLS\r\n");
      if (same_chunk) {
        t.server(t.tag(0) + " OK go\r\n" + extra);
      } else {
        t.server(t.tag(0) + " OK go\r\n");
        CHECK(t.client.wants_tls());
        t.server(extra);
      }
      CHECK(t.client.error().code == "imap.starttls_injection");
      CHECK(t.client.error().category == mv::Category::tls);
      CHECK_FALSE(t.client.wants_tls());
      CHECK(t.sent().empty());
      t.client.on_tls_ready();
      CHECK(t.sent().empty());
    }
  }
}

TEST_CASE("imap/client: STARTTLS unavailable, refused; PREAUTH before TLS") {
  {
    Transcript t(options(mv::TlsMode::starttls));
    t.server("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    CHECK(t.client.error().code == "imap.starttls_unavailable");
    CHECK(t.sent().empty());
  }
  {
    Transcript t(options(mv::TlsMode::starttls));
    t.server("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    t.sent();
    t.server(t.tag(0) + " NO [UNAVAILABLE] not now\r\n");
    CHECK(t.client.error().code == "imap.starttls_refused");
    CHECK(t.client.error().server_says == "[UNAVAILABLE] not now");
  }
  {
    Transcript t(options(mv::TlsMode::starttls));
    t.server("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome\r\n");
    CHECK(t.client.error().code == "imap.preauth_before_tls");
    CHECK(t.client.error().category == mv::Category::tls);
    CHECK(t.sent().empty());
  }
  {
    Transcript t(options());  // PREAUTH over implicit TLS is fine: straight to SELECT
    t.server("* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n");
    CHECK(t.sent() == t.tag(0) + " SELECT INBOX\r\n");
    CHECK(t.client.preauthenticated());
  }
  {
    Transcript t(options());
    t.server("* BYE [UNAVAILABLE] too many connections\r\n");
    CHECK(t.client.error().code == "imap.greeting_bye");
    CHECK(t.client.error().server_says == "[UNAVAILABLE] too many connections");
  }
}

TEST_CASE("imap/client: no credentials in plaintext without consent; LOGINDISABLED") {
  {
    Transcript t(options(mv::TlsMode::none));
    t.server("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    CHECK(t.client.error().code == "imap.plaintext_auth_refused");
    CHECK(t.client.error().category == mv::Category::policy);
    CHECK(t.sent().empty());
  }
  {
    auto o = options(mv::TlsMode::none);
    o.allow_plaintext = true;
    Transcript t(o);
    t.server("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN SASL-IR] hi\r\n");
    CHECK(t.sent() ==
          t.tag(0) + " AUTHENTICATE PLAIN " + kPlainIr + "\r\n" + t.tag(1) + " SELECT INBOX\r\n");
  }
  {
    Transcript t(options());
    t.server("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n");
    CHECK(t.client.error().code == "imap.login_disabled");
    CHECK(t.sent().empty());
  }
}

TEST_CASE("imap/client: LOGIN quoting and literal forms") {
  auto run = [](std::string secret, std::string caps) {
    auto o = options();
    o.credentials.secret = std::move(secret);
    Transcript t(o);
    t.server("* OK [CAPABILITY IMAP4rev1" + caps + "] hi\r\n");
    return std::make_pair(t.tag(0), t.sent());
  };
  // One line (quoted, or a non-synchronising literal): the SELECT goes out behind it.
  mv::ImapTagGenerator gen(kSeed);
  gen.next();
  const std::string select = gen.next() + " SELECT INBOX\r\n";
  auto [t1, s1] = run("pa ss", "");
  CHECK(s1 == t1 + " LOGIN user \"pa ss\"\r\n" + select);
  auto [t2, s2] = run("p\"ss w\xc3\xb6rd", " LITERAL+");
  CHECK(s2 == t2 + " LOGIN user {10+}\r\np\"ss w\xc3\xb6rd\r\n" + select);

  auto o = options();
  o.credentials.user = "me\\x";
  o.credentials.secret = "p\"ss w\xc3\xb6rd";
  Transcript t(o);
  t.server("* OK [CAPABILITY IMAP4rev1] hi\r\n");
  CHECK(t.sent() == t.tag(0) + " LOGIN {4}\r\n");
  t.server("+ Ready for literal data\r\n");
  CHECK(t.sent() == "me\\x {10}\r\n");
  t.server("+ go on\r\n");
  CHECK(t.sent() == "p\"ss w\xc3\xb6rd\r\n");
  t.server("+ more?\r\n");
  CHECK(t.client.error().code == "imap.unexpected_continuation");
}

TEST_CASE("imap/client: NO [AUTHENTICATIONFAILED] keeps the server's words and code") {
  Transcript t(options());
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  t.sent();
  t.server(t.tag(0) + " NO [AUTHENTICATIONFAILED] AUTHENTICATE failed.\r\n");
  const mv::Error& e = t.client.error();
  CHECK(e.category == mv::Category::auth);
  CHECK(e.code == "imap.auth_failed");
  CHECK(e.server_says == "[AUTHENTICATIONFAILED] AUTHENTICATE failed.");
  CHECK(t.client.last_code() == "AUTHENTICATIONFAILED");
  CHECK(e.detail.find("s3cret") == std::string::npos);
  CHECK(t.sent().empty());
}

TEST_CASE("imap/client: XOAUTH2 error continuation is answered with an empty line") {
  auto o = options();
  o.credentials.is_token = true;
  o.credentials.secret = "ya29.token";
  Transcript t(o);
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] hi\r\n");
  std::string first = t.sent();
  CHECK(first.rfind(t.tag(0) + " AUTHENTICATE XOAUTH2 ", 0) == 0);
  std::string json = "{\"status\":\"401\",\"schemes\":\"bearer\"}";
  t.server("+ " + mv::base64_encode(json) + "\r\n");
  CHECK(t.sent() == "\r\n");
  t.server(t.tag(0) + " NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n");
  CHECK(t.client.error().code == "imap.auth_failed");
  CHECK(t.client.error().detail.find("401") != std::string::npos);
  CHECK(t.client.error().detail.find("ya29") == std::string::npos);
}

TEST_CASE("imap/client: SELECT refused") {
  Transcript t(options());
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  t.sent();
  t.server(t.tag(0) + " OK [CAPABILITY IMAP4rev1] in\r\n");
  t.sent();
  t.server(t.tag(1) + " NO [NONEXISTENT] Mailbox doesn't exist: INBOX\r\n");
  CHECK(t.client.error().code == "imap.select_failed");
  CHECK(t.client.error().server_says == "[NONEXISTENT] Mailbox doesn't exist: INBOX");
}

TEST_CASE("imap/client: unknown or replayed tags are protocol errors") {
  Transcript t(options());
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  t.sent();
  t.server("A001 OK [CAPABILITY IMAP4rev1] forged\r\n");
  CHECK(t.client.error().code == "imap.unknown_tag");
  CHECK(t.client.error().category == mv::Category::protocol);

  Transcript u(options());
  login_and_select(u, kFullCaps);
  u.server(u.tag(1) + " OK again\r\n");  // SELECT's tag, already answered
  CHECK(u.client.error().code == "imap.unknown_tag");
}

TEST_CASE("imap/client: search by token") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  CHECK_FALSE(t.client.search_token("bad token"));
  CHECK(t.sent().empty());
  REQUIRE(t.client.search_token("Tok3n"));
  CHECK_FALSE(t.client.ready());
  CHECK_FALSE(t.client.noop());  // one task at a time
  CHECK(t.sent() == t.tag(2) + " UID SEARCH HEADER X-Mailverify-Token Tok3n\r\n");
  t.server("* SEARCH 7 9\r\n* 4 EXISTS\r\n" + t.tag(2) + " OK Search completed\r\n");
  CHECK(t.client.ready());
  CHECK(t.client.search_result() == std::vector<std::uint32_t>{7, 9});
  CHECK(t.client.mailbox().exists == 4);
  CHECK(t.client.last_task().task == mv::ImapTask::search);
  CHECK(t.client.last_task().ok);
  REQUIRE(t.client.search_token("Tok3n"));
  t.sent();
  t.server(t.tag(3) + " NO [BADCHARSET] nope\r\n");
  CHECK(t.client.ready());
  CHECK_FALSE(t.client.last_task().ok);
  CHECK(t.client.last_task().code == "BADCHARSET");
  CHECK(t.client.search_result().empty());
}

namespace {

struct FetchOutcome {
  mv::ImapFetchedMessage m;
  std::string error;
  bool operator==(const FetchOutcome& o) const {
    return error == o.error && m.found == o.m.found && m.uid == o.m.uid && m.seq == o.m.seq &&
           m.message.token == o.m.message.token && m.message.message_id == o.m.message.message_id &&
           m.message.body_digest == o.m.message.body_digest &&
           m.message.bytes == o.m.message.bytes && m.rfc822_size == o.m.rfc822_size &&
           m.flags == o.m.flags && m.internaldate == o.m.internaldate;
  }
};

}  // namespace

TEST_CASE("imap/client: fetch streams BODY[]: same result at every split point") {
  const std::string message =
      "Message-ID: <abc@x>\r\nX-Mailverify-Token:\r\n  Tok3n\r\nSubject: {5}\r\n\r\n"
      "line one\r\n\"{3}\" )\r\n\r\n";
  std::string body = "line one\r\n\"{3}\" )\r\n\r\n";
  mv::BodyDigest d;
  d.update(body);
  const std::string expected_digest = d.finish();
  const std::string response =
      "* 3 FETCH (UID 9 FLAGS (\\Recent) INTERNALDATE \"01-Jan-2024 10:00:00 +0000\" "
      "RFC822.SIZE " +
      std::to_string(message.size()) + " BODY[] {" + std::to_string(message.size()) + "}\r\n" +
      message + ")\r\n";

  auto outcome = mv::test::same_for_every_split<FetchOutcome>(
      response,
      [&](const std::vector<std::string_view>& chunks) {
        Transcript t(options());
        login_and_select(t, kFullCaps);
        REQUIRE(t.client.fetch_message(9));
        REQUIRE(t.sent() ==
                t.tag(2) + " UID FETCH 9 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n");
        for (auto c : chunks)
          t.server(c);
        t.server(t.tag(2) + " OK Fetch completed.\r\n");
        CHECK(t.client.ready());
        return FetchOutcome{t.client.fetched_message(), t.client.error().code};
      },
      [](const FetchOutcome& whole, const FetchOutcome& split, std::size_t i) {
        INFO("split " << i);
        CHECK(whole == split);
      });
  CHECK(outcome.error == "");
  CHECK(outcome.m.found);
  CHECK(outcome.m.uid == 9);
  CHECK(outcome.m.seq == 3);
  CHECK(outcome.m.message.token == std::optional<std::string>("Tok3n"));
  CHECK(outcome.m.message.message_id == "<abc@x>");
  CHECK(outcome.m.message.body_digest == expected_digest);
  CHECK(outcome.m.message.bytes == message.size());
  CHECK(outcome.m.rfc822_size == message.size());
  CHECK(outcome.m.flags == std::vector<std::string>{"\\Recent"});
  CHECK(outcome.m.internaldate == "01-Jan-2024 10:00:00 +0000");
}

TEST_CASE("imap/client: fetch of the composed test message matches its digest and token") {
  mv::MessageSpec spec;
  spec.from = spec.to = "me@example.org";
  spec.token = "Zq7Token42";
  spec.date = "Mon, 1 Jan 2024 10:00:00 +0000";
  spec.body_size = 3000;
  mv::Error err;
  auto msg = mv::TestMessage::compose(spec, err);
  REQUIRE(msg);
  std::string text;
  char buf[512];
  while (std::size_t n = msg->read(buf, sizeof buf))
    text.append(buf, n);

  mv::ImapOptions o = options();
  o.limits.max_line = 256;  // the 3000-byte literal must stream through a small buffer
  Transcript t(o);
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.fetch_message(12));
  t.sent();
  t.server("* 1 FETCH (UID 12 BODY[] {" + std::to_string(text.size()) + "}\r\n");
  for (std::size_t i = 0; i < text.size(); i += 100)
    t.server(text.substr(i, 100));
  t.server(")\r\n" + t.tag(2) + " OK done\r\n");
  const auto& m = t.client.fetched_message();
  CHECK(m.found);
  CHECK(m.message.token == msg->token());
  CHECK(m.message.message_id == msg->message_id());
  CHECK(m.message.body_digest == msg->body_digest());
}

TEST_CASE("imap/client: fetch of a missing UID; other messages' bodies are not taken") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.fetch_message(5));
  t.sent();
  t.server("* 2 FETCH (UID 6 BODY[] {3}\r\nabc)\r\n" + t.tag(2) + " OK done\r\n");
  CHECK_FALSE(t.client.fetched_message().found);
  CHECK(t.client.last_task().ok);
  auto steps = t.steps();
  CHECK(steps.back() == "imap.fetch");
}

TEST_CASE("imap/client: flags: solicited and unsolicited (another session's \\Seen)") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.fetch_flags(7));
  CHECK(t.sent() == t.tag(2) + " UID FETCH 7 (FLAGS)\r\n");
  t.server("* 2 FETCH (FLAGS () UID 7)\r\n" + t.tag(2) + " OK\r\n");
  CHECK(t.client.flags_of(7) == std::vector<std::string>{});
  REQUIRE(t.client.noop());
  CHECK(t.sent() == t.tag(3) + " NOOP\r\n");
  t.server("* 2 FETCH (FLAGS (\\Seen))\r\n* 5 EXISTS\r\n" + t.tag(3) + " OK NOOP completed.\r\n");
  CHECK(t.client.flags_of(7) == std::vector<std::string>{"\\Seen"});
  CHECK(t.client.mailbox().exists == 5);
  CHECK_FALSE(t.client.flags_of(8));
}

TEST_CASE("imap/client: store flags") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  CHECK_FALSE(t.client.store_flags(7, "\\Seen)"));
  REQUIRE(t.client.store_flags(7, "\\Seen"));
  CHECK(t.sent() == t.tag(2) + " UID STORE 7 +FLAGS (\\Seen)\r\n");
  // Not .SILENT: the reply carries the flags now set, so no FETCH is needed to see them.
  t.server("* 3 FETCH (UID 7 FLAGS (\\Seen))\r\n" + t.tag(2) + " OK Store completed.\r\n");
  CHECK(t.client.last_task().task == mv::ImapTask::store);
  CHECK(t.client.last_task().ok);
  CHECK(t.client.flags_of(7) == std::vector<std::string>{"\\Seen"});
}

TEST_CASE("imap/client: SELECT behind AUTHENTICATE PLAIN (SASL-IR): replies in order") {
  Transcript t(options());
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Dovecot ready.\r\n");
  const std::string flight(t.client.output());
  CHECK(flight ==
        t.tag(0) + " AUTHENTICATE PLAIN " + kPlainIr + "\r\n" + t.tag(1) + " SELECT INBOX\r\n");
  CHECK(t.client.output_sensitive());  // the flight holds the credential: traces redact it
  // No reply to the SELECT before it has gone out, even once the AUTHENTICATE is out.
  t.client.consume(flight.find("\r\n") + 2);
  t.client.on_bytes(t.tag(0) + " OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in\r\n");
  CHECK_FALSE(t.client.error());
  CHECK(std::string(t.client.output()) == t.tag(1) + " SELECT INBOX\r\n");
  t.client.on_bytes("* 4 EXISTS\r\n" + t.tag(1) + " OK [READ-WRITE] selected\r\n");
  CHECK(t.client.error().code == "imap.unexpected_response");
}

TEST_CASE("imap/client: a refused login with the SELECT behind it is the login's error") {
  Transcript t(options());
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  t.sent();
  t.server(t.tag(0) + " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n" + t.tag(1) +
           " BAD Command not allowed in non-authenticated state\r\n");
  CHECK(t.client.error().code == "imap.auth_failed");
  CHECK(t.client.error().server_says == "[AUTHENTICATIONFAILED] Authentication failed.");
  CHECK_FALSE(t.client.ready());
  CHECK(t.sent().empty());
}

TEST_CASE("imap/client: the SELECT's reply may not come before the login's") {
  Transcript t(options());
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  t.sent();
  t.server(t.tag(1) + " OK [READ-WRITE] selected\r\n");
  CHECK(t.client.error().code == "imap.unknown_tag");
}

TEST_CASE("imap/client: a challenge after PLAIN's initial response, SELECT behind it: abort") {
  Transcript t(options());
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  t.sent();
  t.server("+ \r\n");
  CHECK(t.client.error().code == "imap.unexpected_continuation");
  CHECK(t.sent().empty());
}

TEST_CASE("imap/client: a login reply without capabilities: CAPABILITY behind the SELECT") {
  Transcript t(options());
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  t.sent();
  t.server(t.tag(0) + " OK Logged in\r\n");
  CHECK(t.sent() == t.tag(2) + " CAPABILITY\r\n");
  t.server("* 2 EXISTS\r\n" + t.tag(1) + " OK [READ-WRITE] selected\r\n");
  CHECK_FALSE(t.client.ready());  // the capabilities are still on their way
  t.server("* CAPABILITY IMAP4rev1 UIDPLUS MOVE\r\n" + t.tag(2) + " OK done\r\n");
  REQUIRE(t.client.ready());
  CHECK(t.client.capabilities().move);
  CHECK(t.client.mailbox().exists == 2);
  CHECK(t.steps() == std::vector<std::string>{"imap.greeting", "imap.auth", "imap.select"});
}

TEST_CASE("imap/client: XOAUTH2 with SASL-IR waits for its reply before SELECT") {
  ImapOptions o = options();
  o.credentials.is_token = true;
  o.credentials.secret = "ya29.token";
  Transcript t(std::move(o));
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] hi\r\n");
  const std::string first = t.sent();
  CHECK(first.rfind(t.tag(0) + " AUTHENTICATE XOAUTH2 ", 0) == 0);
  CHECK(first.find("SELECT") == std::string::npos);
}

TEST_CASE("imap/client: a poll: NOOP and UID SEARCH in one flight, replies in order") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  CHECK_FALSE(t.client.noop_search("bad token"));
  REQUIRE(t.client.noop_search("Zq7Token42"));
  CHECK(t.sent() ==
        t.tag(2) + " NOOP\r\n" + t.tag(3) + " UID SEARCH HEADER X-Mailverify-Token Zq7Token42\r\n");
  t.server("* 4 EXISTS\r\n" + t.tag(2) + " OK NOOP completed.\r\n");
  CHECK_FALSE(t.client.ready());
  t.server("* SEARCH 9\r\n" + t.tag(3) + " OK Search completed.\r\n");
  REQUIRE(t.client.ready());
  CHECK(t.client.last_task().task == mv::ImapTask::search);
  CHECK(t.client.last_task().ok);
  CHECK(t.client.search_result() == std::vector<std::uint32_t>{9});
  CHECK(t.client.mailbox().exists == 4);
  const auto steps = t.steps();
  CHECK(std::vector<std::string>(steps.end() - 2, steps.end()) ==
        std::vector<std::string>{"imap.noop", "imap.search"});
}

TEST_CASE("imap/client: a poll's SEARCH reply may not come before the NOOP's") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.noop_search("Zq7Token42"));
  t.sent();
  t.server("* SEARCH 9\r\n" + t.tag(3) + " OK Search completed.\r\n");
  CHECK(t.client.error().code == "imap.unknown_tag");
}

TEST_CASE("imap/client: a refused NOOP is moot; a refused SEARCH is the poll's answer") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.noop_search("Zq7Token42"));
  t.sent();
  t.server(t.tag(2) + " BAD busy\r\n" + t.tag(3) + " NO [SERVERBUG] search failed\r\n");
  REQUIRE(t.client.ready());
  CHECK_FALSE(t.client.error());
  CHECK_FALSE(t.client.last_task().ok);
  CHECK(t.client.last_task().code == "SERVERBUG");
}

TEST_CASE("imap/client: fetch, removal and LOGOUT in one flight, replies in order") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.fetch_remove_logout(9));
  CHECK(t.sent() == t.tag(2) + " UID FETCH 9 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n" +
                        t.tag(3) + " UID STORE 9 +FLAGS.SILENT (\\Deleted)\r\n" + t.tag(4) +
                        " UID EXPUNGE 9\r\n" + t.tag(5) + " LOGOUT\r\n");
  const std::string body = "X-Mailverify-Token: Zq7Token42\r\n\r\nhi\r\n";
  t.server("* 3 FETCH (UID 9 FLAGS (\\Recent) BODY[] {" + std::to_string(body.size()) + "}\r\n" +
           body + ")\r\n" + t.tag(2) + " OK Fetch completed.\r\n");
  CHECK_FALSE(t.client.ready());
  CHECK(t.client.fetch_status().ok);
  CHECK(t.client.fetched_message().found);
  t.server(t.tag(3) + " OK Store completed.\r\n* 3 EXPUNGE\r\n" + t.tag(4) +
           " OK Expunge completed.\r\n");
  CHECK(t.client.delete_outcome() == mv::ImapDeleteOutcome::expunged);
  CHECK_FALSE(t.client.done());
  t.server("* BYE Logging out\r\n" + t.tag(5) + " OK Logout completed.\r\n");
  CHECK(t.client.done());
  CHECK_FALSE(t.client.error());
  CHECK(t.client.mailbox().exists == 2);
  const auto steps = t.steps();
  CHECK(std::vector<std::string>(steps.end() - 3, steps.end()) ==
        std::vector<std::string>{"imap.fetch", "imap.expunge", "imap.logout"});
  CHECK(t.details.find("BYE and OK") != std::string::npos);
}

TEST_CASE("imap/client: a refused FETCH in the flight is kept; the removal still runs") {
  Transcript t(options());
  login_and_select(t, "IMAP4rev1 IDLE");  // no UIDPLUS: STORE only, never an EXPUNGE
  REQUIRE(t.client.fetch_remove_logout(9));
  CHECK(t.sent() == t.tag(2) + " UID FETCH 9 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n" +
                        t.tag(3) + " UID STORE 9 +FLAGS.SILENT (\\Deleted)\r\n" + t.tag(4) +
                        " LOGOUT\r\n");
  t.server(t.tag(2) + " NO [SERVERBUG] fetch failed\r\n" + t.tag(3) + " OK Store completed.\r\n" +
           "* BYE bye\r\n" + t.tag(4) + " OK Logout completed.\r\n");
  CHECK(t.client.done());
  CHECK_FALSE(t.client.fetch_status().ok);
  CHECK(t.client.fetch_status().code == "SERVERBUG");
  CHECK(t.client.delete_outcome() == mv::ImapDeleteOutcome::flagged_only);
}

TEST_CASE(
    "imap/client: in the fetch flight, an early BYE is the LOGOUT's; EOF before the rest fails") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.fetch_remove_logout(9));
  t.sent();
  t.server(t.tag(2) + " OK Fetch completed.\r\n* BYE Logging out\r\n");
  CHECK_FALSE(t.client.error());
  t.client.on_eof();  // the STORE, EXPUNGE and LOGOUT never answered
  CHECK(t.client.error().code == "imap.connection_closed");
}

TEST_CASE("imap/client: a poll's SEARCH data may come before the NOOP's completion") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.noop_search("Zq7Token42"));
  t.sent();
  // Dovecot runs the two at once (seen against the local stack).
  t.server("* SEARCH 4\r\n" + t.tag(2) + " OK NOOP completed.\r\n" + t.tag(3) +
           " OK Search completed.\r\n");
  REQUIRE(t.client.ready());
  CHECK(t.client.search_result() == std::vector<std::uint32_t>{4});
}

TEST_CASE("imap/client: a second session's NOOP and STORE \\Seen in one flight") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.store_flags(9, "\\Seen", /*noop_first=*/true));
  CHECK(t.sent() == t.tag(2) + " NOOP\r\n" + t.tag(3) + " UID STORE 9 +FLAGS (\\Seen)\r\n");
  t.server("* 4 EXISTS\r\n" + t.tag(2) + " OK NOOP completed.\r\n");
  CHECK_FALSE(t.client.ready());
  t.server("* 4 FETCH (UID 9 FLAGS (\\Seen))\r\n" + t.tag(3) + " OK Store completed.\r\n");
  REQUIRE(t.client.ready());
  CHECK(t.client.last_task().task == mv::ImapTask::store);
  CHECK(t.client.last_task().ok);
  CHECK(t.client.flags_of(9) == std::vector<std::string>{"\\Seen"});
}

TEST_CASE("imap/client: cleanup with the LOGOUT behind it: STORE, UID EXPUNGE, LOGOUT") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  CHECK_FALSE(t.client.queue_logout());  // no task in flight: logout() is the way
  REQUIRE(t.client.delete_uid(7));
  REQUIRE(t.client.queue_logout());
  CHECK_FALSE(t.client.queue_logout());  // one is enough
  CHECK(t.sent() == t.tag(2) + " UID STORE 7 +FLAGS.SILENT (\\Deleted)\r\n" + t.tag(3) +
                        " UID EXPUNGE 7\r\n" + t.tag(4) + " LOGOUT\r\n");
  t.server(t.tag(2) + " OK Store completed.\r\n* 2 EXPUNGE\r\n" + t.tag(3) +
           " OK Expunge completed.\r\n");
  CHECK(t.client.delete_outcome() == mv::ImapDeleteOutcome::expunged);
  CHECK_FALSE(t.client.ready());  // the LOGOUT is in flight, not a new task
  t.server("* BYE Logging out\r\n" + t.tag(4) + " OK Logout completed.\r\n");
  CHECK(t.client.done());
  CHECK_FALSE(t.client.error());
}

TEST_CASE("imap/client: a refused STORE \\Deleted with LOGOUT behind: failed delete, clean end") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.delete_uid(7));
  REQUIRE(t.client.queue_logout());
  t.sent();
  t.server(t.tag(2) + " NO [CANNOT] read-only\r\n" + t.tag(3) + " OK Expunge completed.\r\n" +
           "* BYE bye\r\n" + t.tag(4) + " OK Logout completed.\r\n");
  CHECK(t.client.done());
  CHECK(t.client.delete_outcome() == mv::ImapDeleteOutcome::failed);
}

TEST_CASE("imap/client: list_after_login: the LIST goes out behind the SELECT") {
  ImapOptions o = options();
  o.list_after_login = true;
  Transcript t(std::move(o));
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  CHECK(t.sent() ==
        t.tag(0) + " AUTHENTICATE PLAIN " + kPlainIr + "\r\n" + t.tag(1) + " SELECT INBOX\r\n");
  t.server(t.tag(0) + " OK [CAPABILITY IMAP4rev1 SPECIAL-USE LIST-EXTENDED UIDPLUS] Logged in\r\n");
  CHECK(t.sent() == t.tag(2) + " LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n");
  // A server may answer the LIST's data before the SELECT completes.
  t.server("* 1 EXISTS\r\n* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n" + t.tag(1) +
           " OK [READ-WRITE] selected\r\n");
  CHECK_FALSE(t.client.ready());
  t.server("* LIST (\\HasNoChildren) \"/\" INBOX\r\n" + t.tag(2) + " OK List completed.\r\n");
  REQUIRE(t.client.ready());
  CHECK(t.client.listed());
  REQUIRE(t.client.folders().special_use("\\Sent") != nullptr);
  CHECK(t.client.folders().special_use("\\Sent")->name == "Sent");
  CHECK(t.client.folders().folders.size() == 2);
  CHECK(t.steps() ==
        std::vector<std::string>{"imap.greeting", "imap.auth", "imap.select", "imap.list"});
}

TEST_CASE("imap/client: list_after_login without SPECIAL-USE: no early LIST") {
  ImapOptions o = options();
  o.list_after_login = true;
  Transcript t(std::move(o));
  login_and_select(t, "IMAP4rev1 UIDPLUS NAMESPACE");
  CHECK(t.client.ready());
  CHECK_FALSE(t.client.listed());
}

TEST_CASE("imap/client: delete with UIDPLUS: STORE \\Deleted and UID EXPUNGE in one flight") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.delete_uid(7));
  CHECK(t.sent() ==
        t.tag(2) + " UID STORE 7 +FLAGS.SILENT (\\Deleted)\r\n" + t.tag(3) + " UID EXPUNGE 7\r\n");
  t.server(t.tag(2) + " OK Store completed.\r\n");
  CHECK(t.sent().empty());
  CHECK_FALSE(t.client.ready());
  t.server("* 2 EXPUNGE\r\n" + t.tag(3) + " OK Expunge completed.\r\n");
  CHECK(t.client.ready());
  CHECK(t.client.delete_outcome() == mv::ImapDeleteOutcome::expunged);
  CHECK(t.client.mailbox().exists == 2);
  CHECK(t.steps().back() == "imap.expunge");
}

TEST_CASE("imap/client: a refused STORE \\Deleted makes the pipelined EXPUNGE a failed delete") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.delete_uid(7));
  t.sent();
  t.server(t.tag(2) + " NO [CANNOT] Mailbox is read-only.\r\n" + t.tag(3) +
           " OK Expunge completed.\r\n");
  CHECK(t.client.ready());
  CHECK_FALSE(t.client.error());
  CHECK(t.client.delete_outcome() == mv::ImapDeleteOutcome::failed);
}

TEST_CASE("imap/client: the pipelined EXPUNGE's reply may not come before the STORE's") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.delete_uid(7));
  t.sent();
  t.server(t.tag(3) + " OK Expunge completed.\r\n");
  CHECK(t.client.error());
  CHECK(t.client.error().code == "imap.unknown_tag");
}

TEST_CASE("imap/client: the STORE's reply may come while the pipelined EXPUNGE is unsent") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.delete_uid(7));
  const std::string flight(t.client.output());
  const std::size_t store_end = flight.find("\r\n") + 2;
  t.client.consume(store_end);  // the STORE is out, the EXPUNGE not yet
  t.client.on_bytes(t.tag(2) + " OK Store completed.\r\n");
  CHECK_FALSE(t.client.error());
  CHECK(std::string(t.client.output()) == t.tag(3) + " UID EXPUNGE 7\r\n");
  // ...but no reply to the EXPUNGE before it has gone out.
  t.client.on_bytes(t.tag(3) + " OK Expunge completed.\r\n");
  CHECK(t.client.error());
  CHECK(t.client.error().code == "imap.unexpected_response");
}

TEST_CASE("imap/client: delete without UIDPLUS never sends EXPUNGE") {
  Transcript t(options());
  login_and_select(t, "IMAP4rev1 IDLE");
  REQUIRE(t.client.delete_uid(7));
  CHECK(t.sent() == t.tag(2) + " UID STORE 7 +FLAGS.SILENT (\\Deleted)\r\n");
  t.server(t.tag(2) + " OK Store completed.\r\n");
  CHECK(t.sent().empty());
  CHECK(t.client.ready());
  CHECK(t.client.delete_outcome() == mv::ImapDeleteOutcome::flagged_only);
  CHECK_FALSE(t.client.move_uid(7, "Trash"));  // no MOVE either
}

TEST_CASE("imap/client: move to a folder") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.move_uid(7, "Deleted Items"));
  CHECK(t.sent() == t.tag(2) + " UID MOVE 7 \"Deleted Items\"\r\n");
  t.server("* OK [COPYUID 1 7 3] Moved\r\n* 2 EXPUNGE\r\n" + t.tag(2) + " OK Move completed.\r\n");
  CHECK(t.client.delete_outcome() == mv::ImapDeleteOutcome::moved);
}

TEST_CASE("imap/client: LIST RETURN (SPECIAL-USE)") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.list_folders());
  CHECK(t.sent() == t.tag(2) + " LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n");
  t.server(
      "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
      "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
      "* LIST (\\HasNoChildren \\Trash) \"/\" {13}\r\nDeleted Items\r\n"
      "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk E-mail\"\r\n" +
      t.tag(2) + " OK List completed.\r\n");
  const auto& f = t.client.folders();
  CHECK(f.special_use_requested);
  REQUIRE(f.folders.size() == 4);
  REQUIRE(f.special_use("\\trash"));
  CHECK(f.special_use("\\Trash")->name == "Deleted Items");
  CHECK(f.special_use("\\Sent")->separator == "/");
  CHECK(f.special_use("\\Junk")->name == "Junk E-mail");
  CHECK_FALSE(f.special_use("\\Drafts"));
  CHECK(t.steps().back() == "imap.list");
}

TEST_CASE("imap/client: SEARCH and LIST answers past their Limits are cut, and the event says so") {
  mv::ImapOptions o = options();
  o.limits.max_search_results = 2;
  o.limits.max_folders = 1;
  Transcript t(o);
  login_and_select(t, kFullCaps);
  t.steps();
  t.details.clear();
  REQUIRE(t.client.search_token("Tok3n"));
  t.sent();
  t.server("* SEARCH 4 5 6\r\n" + t.tag(2) + " OK Search completed\r\n");
  CHECK(t.client.search_result() == std::vector<std::uint32_t>{4, 5});
  CHECK(t.steps() == std::vector<std::string>{"imap.search"});
  CHECK(t.details == "2 matches (truncated)\n");
  t.details.clear();
  REQUIRE(t.client.list_folders());
  t.sent();
  t.server("* LIST () \"/\" INBOX\r\n* LIST (\\Sent) \"/\" Sent\r\n" + t.tag(3) +
           " OK List completed.\r\n");
  CHECK(t.client.listed());
  CHECK(t.client.folders().truncated);
  REQUIRE(t.client.folders().folders.size() == 1);
  CHECK(t.client.folders().folders[0].name == "INBOX");
  t.steps();
  CHECK(t.details == "1 folders (truncated)\n");
}

TEST_CASE("imap/client: LIST without SPECIAL-USE asks NAMESPACE first") {
  Transcript t(options());
  login_and_select(t, "IMAP4rev1 NAMESPACE");
  REQUIRE(t.client.list_folders());
  CHECK(t.sent() == t.tag(2) + " NAMESPACE\r\n");
  t.server("* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL\r\n" + t.tag(2) + " OK\r\n");
  CHECK(t.sent() == t.tag(3) + " LIST \"\" \"*\"\r\n");
  t.server("* LIST (\\HasChildren) \".\" INBOX\r\n* LIST () \".\" INBOX.Trash\r\n" + t.tag(3) +
           " OK\r\n");
  const auto& f = t.client.folders();
  CHECK(f.personal.prefix == "INBOX.");
  CHECK(f.personal.separator == ".");
  CHECK(f.folders.size() == 2);
  CHECK_FALSE(f.special_use_requested);
}

TEST_CASE("imap/client: IDLE ends on EXISTS, or on idle_done()") {
  Transcript t(options());
  login_and_select(t, kFullCaps);
  REQUIRE(t.client.idle());
  CHECK(t.sent() == t.tag(2) + " IDLE\r\n");
  t.server("+ idling\r\n");
  CHECK(t.client.idling());
  CHECK(t.sent().empty());
  t.server("* 3 EXISTS\r\n");  // unchanged: keep idling
  CHECK(t.sent().empty());
  t.server("* 4 EXISTS\r\n");
  CHECK(t.sent() == "DONE\r\n");
  t.server(t.tag(2) + " OK Idle completed.\r\n");
  CHECK(t.client.ready());
  CHECK(t.client.mailbox().exists == 4);

  REQUIRE(t.client.idle());
  t.sent();
  t.client.idle_done();  // before the "+": DONE waits for it
  CHECK(t.sent().empty());
  t.server("+ idling\r\n");
  CHECK(t.sent() == "DONE\r\n");
  t.server(t.tag(3) + " OK Idle completed.\r\n");
  CHECK(t.client.ready());
}

TEST_CASE("imap/client: logout, BYE mid-session, EOF") {
  {
    Transcript t(options());
    login_and_select(t, kFullCaps);
    REQUIRE(t.client.logout());
    CHECK(t.sent() == t.tag(2) + " LOGOUT\r\n");
    t.server("* BYE Logging out\r\n" + t.tag(2) + " OK Logout completed.\r\n");
    CHECK(t.client.done());
    CHECK_FALSE(t.client.error());
  }
  {
    Transcript t(options());
    login_and_select(t, kFullCaps);
    REQUIRE(t.client.logout());
    t.sent();
    t.server("* BYE Logging out\r\n");
    t.client.on_eof();
    CHECK(t.client.done());
  }
  {
    Transcript t(options());
    login_and_select(t, kFullCaps);
    t.server("* BYE Server shutting down\r\n");
    CHECK(t.client.error().code == "imap.bye");
  }
  {
    Transcript t(options());
    login_and_select(t, kFullCaps);
    REQUIRE(t.client.fetch_message(3));
    t.server("* 1 FETCH (UID 3 BODY[] {100}\r\npartial");
    t.client.on_eof();
    CHECK(t.client.error().code == "imap.connection_closed");
    CHECK(t.client.error().detail.find("middle") != std::string::npos);
  }
}

namespace mv {
TEST_CASE("imap/client: a reply to a command still in the output is out of turn, never acted on") {
  // Found by fuzz_imap_session: the STARTTLS OK in the same segment as the greeting made the client
  // want TLS while "STARTTLS" was still unsent.
  ImapOptions o;
  o.tls = TlsMode::starttls;
  o.credentials.user = "alice@example.com";
  o.credentials.secret = "s3cret";
  o.tag_seed = 7;
  ImapClient c(o);
  const std::string tag = ImapTagGenerator(7).next();
  c.on_bytes("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n" + tag + " OK Begin TLS\r\n");
  CHECK(c.error().code == "imap.unexpected_response");
  CHECK_FALSE(c.wants_tls());
  CHECK(c.output().empty());
}
}  // namespace mv

// The one cancel policy (RFC 9051 6.2.2): "*", then the server's NO ends the exchange, and the
// client reports the challenge it could not answer (not the refusal as a wrong password).
TEST_CASE("imap/client: a challenge that is not base64 is cancelled with *") {
  auto o = options();
  o.mechanism = mv::Mechanism::login;
  Transcript t(o);
  t.server("* OK [CAPABILITY IMAP4rev1 AUTH=LOGIN] hi\r\n");
  CHECK(t.sent() == t.tag(0) + " AUTHENTICATE LOGIN\r\n");
  t.server("+ not base64!\r\n");
  CHECK(t.sent() == "*\r\n");
  CHECK_FALSE(t.client.error());
  t.server(t.tag(0) + " BAD AUTHENTICATE cancelled\r\n");
  const mv::Error& e = t.client.error();
  CHECK(e.code == "imap.bad_challenge");
  CHECK(e.category == mv::Category::protocol);
  CHECK(e.detail.find("not valid base64") != std::string::npos);
  CHECK(e.server_says == "AUTHENTICATE cancelled");
  CHECK(t.sent().empty());
}

TEST_CASE("imap/client: more challenges than Limits::max_sasl_rounds are cancelled with *") {
  auto o = options();
  o.mechanism = mv::Mechanism::login;
  o.limits.max_sasl_rounds = 2;
  Transcript t(o);
  t.server("* OK [CAPABILITY IMAP4rev1 AUTH=LOGIN] hi\r\n");
  CHECK(t.sent() == t.tag(0) + " AUTHENTICATE LOGIN\r\n");
  t.server("+ VXNlcm5hbWU6\r\n");
  CHECK(t.sent() == mv::base64_encode("user") + "\r\n");
  t.server("+ UGFzc3dvcmQ6\r\n");
  CHECK(t.sent() == mv::base64_encode("s3cret-pass") + "\r\n");
  t.server("+ UGFzc3dvcmQ6\r\n");
  CHECK(t.sent() == "*\r\n");
  // A server that challenges again instead of ending the cancelled exchange is cut off.
  t.server("+ UGFzc3dvcmQ6\r\n");
  CHECK(t.client.error().code == "imap.bad_challenge");
  CHECK(t.client.error().detail.find("more than 2") != std::string::npos);
  CHECK(t.sent().empty());
}

TEST_CASE("imap/client: the LOGIN line is marked sensitive until it went out") {
  auto o = options(mv::TlsMode::implicit);
  Transcript t(o);
  t.server("* OK [CAPABILITY IMAP4rev1] hi\r\n");
  CHECK(t.client.output_sensitive());
  CHECK(t.sent() == t.tag(0) + " LOGIN user s3cret-pass\r\n" + t.tag(1) + " SELECT INBOX\r\n");
  CHECK_FALSE(t.client.output_sensitive());
}

TEST_CASE("imap/client: state changes are reported by name") {
  Transcript t(options());
  std::vector<std::string> seen;
  t.client.observe_states([&](std::string_view from, std::string_view to) {
    seen.push_back(std::string(from) + ">" + std::string(to));
  });
  login_and_select(t, "IMAP4rev1");
  CHECK(seen ==
        std::vector<std::string>{"greeting>authenticate", "authenticate>select", "select>ready"});
}

// ---- UTF8=ACCEPT (RFC 6855) ----

namespace {

const std::string kGeloescht = "Gel\xC3\xB6schte Elemente";  // 19 bytes of UTF-8

struct Utf8Outcome {
  bool utf8 = false, folders_utf8 = false, ready = false;
  std::vector<std::string> names;
  std::string error;
  bool operator==(const Utf8Outcome&) const = default;
};

}  // namespace

TEST_CASE("imap/client: UTF8=ACCEPT: ENABLE between login and SELECT; UTF-8 names kept as sent") {
  const auto run = [](const std::vector<std::string_view>& chunks, Transcript& t) {
    t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN UTF8=ACCEPT] hi\r\n");
    REQUIRE(t.sent() == t.tag(0) + " AUTHENTICATE PLAIN " + kPlainIr + "\r\n" + t.tag(1) +
                            " ENABLE UTF8=ACCEPT\r\n" + t.tag(2) + " SELECT INBOX\r\n");
    t.server(t.tag(0) +
             " OK [CAPABILITY IMAP4rev1 LITERAL+ SPECIAL-USE LIST-EXTENDED MOVE UTF8=ACCEPT] "
             "Logged in\r\n");
    REQUIRE(t.sent() == t.tag(3) + " LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n");
    for (auto c : chunks)
      t.server(c);
    return Utf8Outcome{t.client.utf8_enabled(), t.client.folders().utf8, t.client.ready(),
                       [&] {
                         std::vector<std::string> n;
                         for (const auto& f : t.client.folders().folders)
                           n.push_back(f.name);
                         return n;
                       }(),
                       t.client.error().code};
  };
  const auto make = [] {
    ImapOptions o = options();
    o.list_after_login = true;
    return o;
  };
  Transcript probe(make());
  const std::string replies = "* ENABLED UTF8=ACCEPT\r\n" + probe.tag(1) + " OK Enabled\r\n" +
                              "* 2 EXISTS\r\n" + probe.tag(2) + " OK [READ-WRITE] selected\r\n" +
                              "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                              "* LIST (\\HasNoChildren) \"/\" \"" +
                              kGeloescht +
                              "\"\r\n"
                              "* LIST (\\HasNoChildren) \"/\" \"Gel&APY-scht\"\r\n" +
                              probe.tag(3) + " OK List completed.\r\n";
  const Utf8Outcome whole = mv::test::same_for_every_split<Utf8Outcome>(
      replies,
      [&](const std::vector<std::string_view>& chunks) {
        Transcript t(make());
        return run(chunks, t);
      },
      [](const Utf8Outcome& w, const Utf8Outcome& split, std::size_t i) {
        INFO("split " << i);
        CHECK(w == split);
      });
  CHECK(whole.error == "");
  CHECK(whole.ready);
  CHECK(whole.utf8);
  CHECK(whole.folders_utf8);
  CHECK(whole.names == std::vector<std::string>{"INBOX", kGeloescht, "Gel&APY-scht"});

  // Trash by its German name, and the same UTF-8 bytes go back out (a literal: 8-bit bytes).
  Transcript t(make());
  run({replies}, t);
  const mv::FolderMap map = mv::map_folders(t.client.folders());
  REQUIRE(map.find("Trash") != nullptr);
  CHECK(map.find("Trash")->folder == kGeloescht);
  CHECK(map.find("Trash")->shown == kGeloescht);
  CHECK(map.find("Trash")->how == "by name");
  CHECK(mv::folder_display_name("Gel&APY-scht", t.client.folders().utf8) == "Gel&APY-scht");
  REQUIRE(t.client.move_uid(7, map.find("Trash")->folder));
  CHECK(t.sent() == t.tag(4) + " UID MOVE 7 {19+}\r\n" + kGeloescht + "\r\n");
  CHECK(t.client.turns() == 2);  // ENABLE added no round trip: AUTHENTICATE, then UID MOVE
}

TEST_CASE("imap/client: UTF8=ACCEPT after login: ENABLE with the UTF-8 SELECT behind it") {
  ImapOptions o = options();
  o.mailbox = kGeloescht;
  Transcript t(std::move(o));
  t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
  // The name needs a literal: no SELECT (and so no ENABLE) behind the login.
  CHECK(t.sent() == t.tag(0) + " AUTHENTICATE PLAIN " + kPlainIr + "\r\n");
  t.server(t.tag(0) + " OK [CAPABILITY IMAP4rev1 LITERAL+ UTF8=ACCEPT] Logged in\r\n");
  CHECK(t.sent() == t.tag(1) + " ENABLE UTF8=ACCEPT\r\n" + t.tag(2) + " SELECT {19+}\r\n" +
                        kGeloescht + "\r\n");
  t.server("* ENABLED UTF8=ACCEPT\r\n" + t.tag(1) + " OK Enabled\r\n* 0 EXISTS\r\n" + t.tag(2) +
           " OK [READ-WRITE] selected\r\n");
  CHECK_FALSE(t.client.error());
  CHECK(t.client.ready());
  CHECK(t.client.utf8_enabled());
  CHECK(t.client.mailbox().name == kGeloescht);
  CHECK(t.client.turns() == 2);  // AUTHENTICATE; ENABLE + SELECT in one flight
}

TEST_CASE("imap/client: ENABLE UTF8=ACCEPT refused (BAD or NO): the run goes on in mUTF-7") {
  for (const std::string status : {"BAD", "NO"}) {
    INFO(status);
    Transcript t(options());
    t.server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN UTF8=ACCEPT] hi\r\n");
    REQUIRE(t.sent() == t.tag(0) + " AUTHENTICATE PLAIN " + kPlainIr + "\r\n" + t.tag(1) +
                            " ENABLE UTF8=ACCEPT\r\n" + t.tag(2) + " SELECT INBOX\r\n");
    t.server(t.tag(0) + " OK [CAPABILITY IMAP4rev1 UTF8=ACCEPT] Logged in\r\n" + t.tag(1) + " " +
             status + " not now\r\n* 1 EXISTS\r\n" + t.tag(2) + " OK [READ-WRITE] selected\r\n");
    CHECK_FALSE(t.client.error());
    REQUIRE(t.client.ready());
    CHECK_FALSE(t.client.utf8_enabled());
    REQUIRE(t.client.list_folders());
    CHECK(t.sent() == t.tag(3) + " LIST \"\" \"*\"\r\n");
    t.server("* LIST (\\HasNoChildren) \"/\" \"Gel&APY-schte Elemente\"\r\n" + t.tag(3) +
             " OK done\r\n");
    CHECK_FALSE(t.client.folders().utf8);
    const mv::FolderMap map = mv::map_folders(t.client.folders());
    CHECK(map.find("Trash")->folder == "Gel&APY-schte Elemente");
    CHECK(map.find("Trash")->shown == kGeloescht);
  }
}
