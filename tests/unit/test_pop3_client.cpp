// SPDX-License-Identifier: Apache-2.0
// POP3 client conversations as transcripts: server bytes in, exact client bytes out. Every
// transcript runs with each server chunk whole, split at every point and byte by byte.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "protocols/common/base64.hpp"
#include "protocols/common/dot_stuffing.hpp"
#include "protocols/common/message.hpp"
#include "protocols/pop3/client.hpp"

namespace {

using Client = mv::Pop3Client;

struct Step {
  std::function<void(Client&)> action;  // run first (queue a task, finish TLS, EOF)
  std::string server;                   // then these bytes arrive
  std::string client;                   // and exactly these bytes are to be sent
};

Step S(std::string server, std::string client) {
  return {nullptr, std::move(server), std::move(client)};
}
Step A(std::function<void(Client&)> action, std::string client, std::string server = {}) {
  return {std::move(action), std::move(server), std::move(client)};
}

struct Run {
  std::string sent;
  std::vector<mv::Event> events;
};

using Check = std::function<void(const Client&, const Run&)>;

std::vector<std::string_view> split(std::string_view s, std::size_t how) {
  std::vector<std::string_view> out;
  if (s.empty()) return out;
  if (how == 0 || how >= s.size()) {
    out.push_back(s);
  } else if (how == std::string_view::npos - 1) {
    for (std::size_t i = 0; i < s.size(); ++i)
      out.push_back(s.substr(i, 1));
  } else {
    out.push_back(s.substr(0, how));
    out.push_back(s.substr(how));
  }
  return out;
}

void run_once(const mv::Pop3Options& options, const std::vector<Step>& steps, std::size_t how,
              const Check& check) {
  Client c(options);
  Run run;
  auto take = [&] {
    std::string out;
    for (auto o = c.output(); !o.empty(); o = c.output()) {
      out += o;
      c.consume(o.size());
    }
    while (auto e = c.next_event())
      run.events.push_back(*e);
    run.sent += out;
    return out;
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    INFO("step " << i << ", split " << how);
    if (steps[i].action) steps[i].action(c);
    for (auto chunk : split(steps[i].server, how))
      c.on_bytes(chunk);
    CHECK(take() == steps[i].client);
  }
  check(c, run);
}

// Whole, every split point of every server chunk at once, byte by byte.
void transcript(const mv::Pop3Options& options, const std::vector<Step>& steps,
                const Check& check) {
  std::size_t longest = 0;
  for (const auto& s : steps)
    longest = std::max(longest, s.server.size());
  for (std::size_t how = 0; how < longest; ++how)
    run_once(options, steps, how, check);
  run_once(options, steps, std::string_view::npos - 1, check);
}

mv::Pop3Options options(mv::TlsMode tls = mv::TlsMode::implicit) {
  mv::Pop3Options o;
  o.tls = tls;
  o.credentials.user = "alice";
  o.credentials.secret = "s3cret";
  return o;
}

bool mentions_secret(const Client& c, const Run& run) {
  for (const auto& e : run.events) {
    if (e.detail.find("s3cret") != std::string::npos) return true;
  }
  const auto& err = c.error();
  for (const auto* f : {&err.detail, &err.server_says, &err.code}) {
    if (f->find("s3cret") != std::string::npos || f->find("czNjcmV0") != std::string::npos ||
        f->find("AGFsaWNlAHMzY3JldA==") != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> steps_of(const Run& run) {
  std::vector<std::string> out;
  for (const auto& e : run.events)
    out.push_back(e.step);
  return out;
}

const std::string kGreeting = "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n";
const std::string kCapaUser = "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n";

// The login every task test starts from: POP3S, USER/PASS, STAT of 3 messages.
std::vector<Step> logged_in(std::string stat = "+OK 3 900\r\n") {
  return {S(kGreeting, "CAPA\r\n"), S(kCapaUser, "USER alice\r\n"), S("+OK\r\n", "PASS s3cret\r\n"),
          S("+OK logged in\r\n", "STAT\r\n"), S(std::move(stat), "")};
}

std::vector<Step> operator+(std::vector<Step> a, const std::vector<Step>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("pop3/client: POP3S with USER/PASS, STAT, QUIT") {
  transcript(options(),
             logged_in("+OK 2 320\r\n") + std::vector<Step>{A(
                                                                [](Client& c) {
                                                                  CHECK(c.ready());
                                                                  CHECK(c.idle());
                                                                  c.quit();
                                                                  CHECK_FALSE(c.ready());
                                                                },
                                                                "QUIT\r\n"),
                                                            S("+OK bye\r\n", "")},
             [](const Client& c, const Run& run) {
               CHECK_FALSE(c.error());
               CHECK(c.done());
               CHECK(c.tls_active());
               CHECK(c.message_count() == 2);
               CHECK(c.maildrop_size() == 320);
               CHECK(c.apop_timestamp() == "<1896.697170952@dbc.mtview.ca.us>");
               CHECK(c.capabilities().user);
               CHECK(c.capabilities().top);
               CHECK_FALSE(c.mechanism_used().has_value());
               CHECK(c.turns() == 5);  // CAPA, USER, PASS, STAT, QUIT
               CHECK(steps_of(run) == std::vector<std::string>{"pop3.greeting", "pop3.auth",
                                                               "pop3.stat", "pop3.quit"});
               CHECK(run.events[2].detail == "2 messages, 320 octets");
               CHECK_FALSE(mentions_secret(c, run));
             });
}

TEST_CASE("pop3/client: STLS, then CAPA again with pre-TLS knowledge dropped, AUTH PLAIN") {
  transcript(options(mv::TlsMode::starttls),
             {S(kGreeting, "CAPA\r\n"),
              S("+OK\r\nSTLS\r\nUSER\r\nPIPELINING\r\nSASL PLAIN\r\n.\r\n", "STLS\r\n"),
              S("+OK Begin TLS negotiation\r\n", ""),
              A(
                  [](Client& c) {
                    CHECK(c.wants_tls());
                    CHECK_FALSE(c.tls_active());
                    c.on_tls_ready();
                    CHECK_FALSE(c.wants_tls());
                  },
                  "CAPA\r\n"),
              S("+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n", "AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n"),
              S("+OK welcome\r\n", "STAT\r\n"), S("+OK 0 0\r\n", "")},
             [](const Client& c, const Run& run) {
               CHECK_FALSE(c.error());
               CHECK(c.ready());
               CHECK(c.tls_active());
               CHECK_FALSE(c.capabilities().stls);        // only the second CAPA counts
               CHECK_FALSE(c.capabilities().pipelining);  // ditto
               CHECK(c.mechanism_used() == mv::Mechanism::plain);
               CHECK(steps_of(run) == std::vector<std::string>{"pop3.greeting", "pop3.stls",
                                                               "pop3.auth", "pop3.stat"});
               CHECK_FALSE(mentions_secret(c, run));
             });
}

TEST_CASE("pop3/client: bytes after the +OK to STLS are an injection: abort, send nothing") {
  transcript(options(mv::TlsMode::starttls),
             {S(kGreeting, "CAPA\r\n"), S("+OK\r\nSTLS\r\nUSER\r\n.\r\n", "STLS\r\n"),
              S("+OK Begin TLS\r\n+OK\r\nSASL PLAIN\r\n.\r\n", ""),
              A([](Client& c) { c.on_tls_ready(); }, "")},
             [](const Client& c, const Run& run) {
               CHECK(c.error().code == "pop3.stls_injection");
               CHECK(c.error().category == mv::Category::tls);
               CHECK_FALSE(c.wants_tls());
               CHECK_FALSE(c.tls_active());
               CHECK(run.sent == "CAPA\r\nSTLS\r\n");
             });
}

TEST_CASE("pop3/client: STLS not offered, CAPA refused, or STLS refused") {
  auto expect = [](std::string code, mv::Category category = mv::Category::tls) {
    return [code, category](const Client& c, const Run& run) {
      CHECK(c.error().code == code);
      CHECK(c.error().category == category);
      CHECK(run.sent.find("USER") == std::string::npos);
      CHECK(run.sent.find("AUTH") == std::string::npos);
    };
  };
  transcript(options(mv::TlsMode::starttls), {S(kGreeting, "CAPA\r\n"), S(kCapaUser, "")},
             expect("pop3.stls_unavailable"));
  transcript(options(mv::TlsMode::starttls),
             {S(kGreeting, "CAPA\r\n"), S("-ERR unknown command\r\n", "")},
             expect("pop3.stls_unavailable"));
  transcript(options(mv::TlsMode::starttls),
             {S(kGreeting, "CAPA\r\n"), S("+OK\r\nSTLS\r\n.\r\n", "STLS\r\n"),
              S("-ERR [SYS/TEMP] TLS unavailable\r\n", "")},
             [&](const Client& c, const Run& run) {
               expect("pop3.stls_refused", mv::Category::temporary)(c, run);  // [SYS/TEMP]
               CHECK(c.error().server_says == "-ERR [SYS/TEMP] TLS unavailable");
             });
}

TEST_CASE("pop3/client: no TLS and no consent: refused after the greeting, nothing sent") {
  transcript(options(mv::TlsMode::none), {S(kGreeting, "")}, [](const Client& c, const Run& run) {
    CHECK(c.error().code == "pop3.plaintext_auth_refused");
    CHECK(c.error().category == mv::Category::policy);
    CHECK(run.sent.empty());
    CHECK(steps_of(run) == std::vector<std::string>{"pop3.greeting"});
  });
  auto consent = options(mv::TlsMode::none);
  consent.allow_plaintext = true;
  transcript(consent,
             {S(kGreeting, "CAPA\r\n"), S("-ERR\r\n", "USER alice\r\n"),
              S("+OK\r\n", "PASS s3cret\r\n"), S("+OK\r\n", "STAT\r\n"), S("+OK 1 10\r\n", "")},
             [](const Client& c, const Run& run) {
               CHECK(c.ready());
               CHECK_FALSE(c.capabilities().known);
               CHECK(run.events[1].detail == "USER/PASS accepted without TLS");
             });
}

TEST_CASE("pop3/client: AUTH LOGIN challenges, and SASL-IR too long for the line") {
  auto login = options();
  login.mechanism = mv::Mechanism::login;
  transcript(login,
             {S(kGreeting, "CAPA\r\n"), S("+OK\r\nSASL PLAIN LOGIN\r\n.\r\n", "AUTH LOGIN\r\n"),
              S("+ VXNlcm5hbWU6\r\n", "YWxpY2U=\r\n"), S("+ UGFzc3dvcmQ6\r\n", "czNjcmV0\r\n"),
              S("+OK\r\n", "STAT\r\n"), S("+OK 0 0\r\n", "")},
             [](const Client& c, const Run& run) {
               CHECK(c.ready());
               CHECK(c.turns() == 5);
               CHECK_FALSE(mentions_secret(c, run));
             });

  auto long_secret = options();
  long_secret.credentials.secret = std::string(200, 'p');
  const std::string ir = mv::base64_encode(std::string("\0alice\0", 7) + std::string(200, 'p'));
  transcript(long_secret,
             {S(kGreeting, "CAPA\r\n"), S("+OK\r\nSASL PLAIN\r\n.\r\n", "AUTH PLAIN\r\n"),
              S("+ \r\n", ir + "\r\n"), S("+OK\r\n", "STAT\r\n"), S("+OK 0 0\r\n", "")},
             [](const Client& c, const Run&) { CHECK(c.ready()); });
}

// The one cancel policy (RFC 5034 4): "*", then the server's -ERR ends the exchange; a server
// that accepts the cancelled exchange fails it the same way.
TEST_CASE("pop3/client: a challenge that is not base64 is cancelled with *") {
  auto login = options();
  login.mechanism = mv::Mechanism::login;
  auto cancelled_then = [&](std::string final_reply, const Check& check) {
    transcript(login,
               {S(kGreeting, "CAPA\r\n"), S("+OK\r\nSASL LOGIN\r\n.\r\n", "AUTH LOGIN\r\n"),
                S("+ not base64!\r\n", "*\r\n"), S(std::move(final_reply), "")},
               check);
  };
  cancelled_then("-ERR cancelled\r\n", [](const Client& c, const Run&) {
    CHECK(c.error().code == "pop3.bad_challenge");
    CHECK(c.error().category == mv::Category::protocol);
  });
  cancelled_then("+OK welcome\r\n", [](const Client& c, const Run&) {
    CHECK(c.error().code == "pop3.bad_challenge");
    CHECK(c.error().detail.find("accepted the cancelled exchange") != std::string::npos);
  });
}

TEST_CASE("pop3/client: more challenges than Limits::max_sasl_rounds are cancelled with *") {
  auto login = options();
  login.mechanism = mv::Mechanism::login;
  login.limits.max_sasl_rounds = 2;
  transcript(login,
             {S(kGreeting, "CAPA\r\n"), S("+OK\r\nSASL LOGIN\r\n.\r\n", "AUTH LOGIN\r\n"),
              S("+ VXNlcm5hbWU6\r\n", "YWxpY2U=\r\n"), S("+ UGFzc3dvcmQ6\r\n", "czNjcmV0\r\n"),
              S("+ UGFzc3dvcmQ6\r\n", "*\r\n"), S("-ERR cancelled\r\n", "")},
             [](const Client& c, const Run&) {
               CHECK(c.error().code == "pop3.bad_challenge");
               CHECK(c.error().detail.find("more than 2") != std::string::npos);
               CHECK(c.error().server_says == "-ERR cancelled");
             });
}

TEST_CASE("pop3/client: XOAUTH2 error challenge is answered with an empty line") {
  auto o = options();
  o.credentials.secret = "tok";
  o.credentials.is_token = true;
  const std::string ir = mv::base64_encode(
      "user=alice\x01"
      "auth=Bearer tok\x01\x01");
  transcript(
      o,
      {S(kGreeting, "CAPA\r\n"),
       S("+OK\r\nSASL XOAUTH2 PLAIN\r\n.\r\n", "AUTH XOAUTH2 " + ir + "\r\n"),
       S("+ eyJzdGF0dXMiOiI0MDEifQ==\r\n", "\r\n"), S("-ERR [AUTH] Invalid credentials\r\n", "")},
      [](const Client& c, const Run&) {
        CHECK(c.error().code == "pop3.auth_failed");
        CHECK(c.error().category == mv::Category::auth);
        CHECK(c.error().server_says == "-ERR [AUTH] Invalid credentials {\"status\":\"401\"}");
        CHECK(c.error().detail.find("tok") == std::string::npos);
      });
  // A token with no OAuth mechanism offered never falls back to USER/PASS.
  transcript(o, {S(kGreeting, "CAPA\r\n"), S(kCapaUser, "")},
             [](const Client& c, const Run&) { CHECK(c.error().code == "pop3.no_mechanism"); });
}

TEST_CASE("pop3/client: -ERR to PASS keeps [AUTH], [SYS/PERM], [IN-USE] and the server's words") {
  for (std::string code : {"AUTH", "SYS/PERM", "IN-USE"}) {
    INFO(code);
    const std::string refusal = "-ERR [" + code + "] Login refused\r\n";
    transcript(options(),
               {S(kGreeting, "CAPA\r\n"), S(kCapaUser, "USER alice\r\n"),
                S("+OK\r\n", "PASS s3cret\r\n"), S(refusal, "")},
               [&](const Client& c, const Run& run) {
                 CHECK(c.error().code == "pop3.auth_failed");
                 // RFC 2449 8.1.1: [IN-USE] is a lock held by another session, temporary.
                 CHECK(c.error().category ==
                       (code == "IN-USE" ? mv::Category::temporary : mv::Category::auth));
                 CHECK(c.error().signal.response_code == code);
                 CHECK(c.error().server_says == "-ERR [" + code + "] Login refused");
                 CHECK(c.error().detail.find("[" + code + "]") != std::string::npos);
                 CHECK(c.last_status().code == code);
                 CHECK_FALSE(c.ready());
                 CHECK_FALSE(mentions_secret(c, run));
               });
  }
  // AUTH refused with SASL-IR.
  transcript(options(),
             {S(kGreeting, "CAPA\r\n"),
              S("+OK\r\nSASL PLAIN\r\n.\r\n", "AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n"),
              S("-ERR [AUTH] Authentication failed.\r\n", "")},
             [](const Client& c, const Run& run) {
               CHECK(c.error().code == "pop3.auth_failed");
               CHECK(c.error().detail.find("AUTH PLAIN") != std::string::npos);
               CHECK_FALSE(mentions_secret(c, run));
             });
}

TEST_CASE("pop3/client: find_token reads headers with TOP from the newest down, finds the middle") {
  transcript(
      options(),
      logged_in() +
          std::vector<Step>{
              A([](Client& c) { c.find_token("tok123"); }, "TOP 3 0\r\n"),
              S("+OK\r\nX-Mailverify-Token: other\r\nSubject: three\r\n\r\n.\r\n", "TOP 2 0\r\n"),
              S("+OK\r\nSubject: two\r\nX-Mailverify-Token:  tok123 \r\n..x: y\r\n\r\n.\r\n", ""),
          },
      [](const Client& c, const Run& run) {
        CHECK_FALSE(c.error());
        CHECK(c.idle());
        REQUIRE(c.found());
        CHECK(*c.found() == 2);
        CHECK(c.scanned() == 2);
        REQUIRE(run.events.size() == 4);
        CHECK(run.events[3].step == "pop3.top");
        CHECK(run.events[3].detail == "token found in message 2 (2 headers read)");
      });
  transcript(
      options(),
      logged_in() +
          std::vector<Step>{
              A([](Client& c) { c.find_token("tok123", 2); }, "TOP 3 0\r\n"),
              S("+OK\r\nSubject: three\r\n\r\n.\r\n", "TOP 2 0\r\n"),
              S("+OK\r\nSubject: two\r\n\r\n.\r\n", ""),
              A([](Client& c) { c.find_token("tok123", 4); }, ""),
          },
      [](const Client& c, const Run& run) {
        CHECK_FALSE(c.found());
        CHECK(c.idle());
        REQUIRE(run.events.size() == 5);
        CHECK(run.events[3].detail == "token not found in messages 2..3 (2 headers read)");
        CHECK(run.events[4].detail == "token not found: no messages from 4 on (0 headers read)");
      });
}

TEST_CASE("pop3/client: find_token reads only the newest Limits::max_pop3_scanned messages") {
  auto small = options();
  small.limits.max_pop3_scanned = 2;
  transcript(small,
             logged_in("+OK 5 1500\r\n") +
                 std::vector<Step>{
                     A([](Client& c) { c.find_token("tok123"); }, "TOP 5 0\r\n"),
                     S("+OK\r\nSubject: five\r\n\r\n.\r\n", "TOP 4 0\r\n"),
                     S("+OK\r\nSubject: four\r\n\r\n.\r\n", ""),
                     // An explicit first message overrides the window.
                     A([](Client& c) { c.find_token("tok123", 3); }, "TOP 5 0\r\n"),
                     S("+OK\r\nSubject: five\r\n\r\n.\r\n", "TOP 4 0\r\n"),
                     S("+OK\r\nSubject: four\r\n\r\n.\r\n", "TOP 3 0\r\n"),
                     S("+OK\r\nX-Mailverify-Token: tok123\r\n\r\n.\r\n", ""),
                 },
             [](const Client& c, const Run& run) {
               CHECK_FALSE(c.error());
               REQUIRE(run.events.size() == 5);
               CHECK(run.events[3].detail == "token not found in messages 4..5 (2 headers read)");
               REQUIRE(c.found());
               CHECK(*c.found() == 3);
             });
}

TEST_CASE("pop3/client: RETR streams the message; digest, token, Message-ID and size match") {
  mv::MessageSpec spec;
  spec.from = "alice@example.org";
  spec.to = "alice@example.org";
  spec.token = "Tok3nAbc";
  spec.date = "Mon, 1 Jan 2024 00:00:00 +0000";
  spec.body_size = 600;
  mv::Error err;
  auto msg = mv::TestMessage::compose(spec, err);
  REQUIRE(msg);
  std::string text;
  char buf[128];
  while (std::size_t n = msg->read(buf, sizeof buf))
    text.append(buf, n);
  // A body line that starts with a dot must come back un-stuffed; the server adds a Received.
  text = "Received: from mx by pop\r\n" + text + ".leading dot\r\n";
  std::string wire;
  mv::DotStuffer stuffer;
  stuffer.encode(text, wire);
  stuffer.finish(wire);
  REQUIRE(wire.find("\r\n..leading dot\r\n") != std::string::npos);
  const std::string body = text.substr(text.find("\r\n\r\n") + 4);
  mv::BodyDigest digest;
  digest.update(body);
  const std::string expected_digest = digest.finish();

  transcript(
      options(),
      logged_in() +
          std::vector<Step>{A([](Client& c) { c.retrieve(2); }, "RETR 2\r\n"),
                            S("+OK " + std::to_string(text.size()) + " octets\r\n" + wire, "")},
      [&](const Client& c, const Run& run) {
        CHECK_FALSE(c.error());
        CHECK(c.idle());
        const auto& m = c.retrieved();
        CHECK(m.number == 2);
        REQUIRE(m.token);
        CHECK(*m.token == "Tok3nAbc");
        CHECK(m.message_id == msg->message_id());
        CHECK(m.body_digest == expected_digest);
        CHECK(m.size == text.size());
        CHECK(run.events.back().step == "pop3.retr");
      });
}

TEST_CASE("pop3/client: DELE then QUIT, queued together") {
  transcript(options(),
             logged_in() + std::vector<Step>{A(
                                                 [](Client& c) {
                                                   c.dele(2);
                                                   c.quit();
                                                   CHECK_FALSE(c.idle());
                                                 },
                                                 "DELE 2\r\n"),
                                             S("+OK message 2 deleted\r\n", "QUIT\r\n"),
                                             S("+OK bye\r\n", "")},
             [](const Client& c, const Run& run) {
               CHECK(c.done());
               CHECK(steps_of(run).back() == "pop3.quit");
               CHECK(run.events.back().detail == "signed off; 1 deletions committed");
               CHECK(run.events[run.events.size() - 2].step == "pop3.dele");
             });
}

TEST_CASE("pop3/client: RSET undoes DELE; marked messages are not scanned or deleted twice") {
  transcript(options(),
             logged_in() +
                 std::vector<Step>{A([](Client& c) { c.dele(3); }, "DELE 3\r\n"), S("+OK\r\n", ""),
                                   A([](Client& c) { c.find_token("t"); }, "TOP 2 0\r\n"),
                                   S("+OK\r\nX-Mailverify-Token: t\r\n\r\n.\r\n", ""),
                                   A([](Client& c) { c.rset(); }, "RSET\r\n"),
                                   S("+OK maildrop has 3 messages\r\n", ""),
                                   A([](Client& c) { c.quit(); }, "QUIT\r\n"), S("+OK\r\n", "")},
             [](const Client& c, const Run& run) {
               CHECK(c.done());
               CHECK(c.found() == 2u);
               CHECK(run.events.back().detail == "signed off; 0 deletions committed");
             });
  transcript(options(),
             logged_in() + std::vector<Step>{A([](Client& c) { c.dele(1); }, "DELE 1\r\n"),
                                             S("+OK\r\n", ""), A([](Client& c) { c.dele(1); }, "")},
             [](const Client& c, const Run&) {
               CHECK(c.error().code == "pop3.bad_task");
               CHECK(c.error().category == mv::Category::usage);
             });
}

TEST_CASE("pop3/client: an error after DELE never sends QUIT (the server drops the marks)") {
  transcript(options(),
             logged_in() + std::vector<Step>{A(
                                                 [](Client& c) {
                                                   c.dele(1);
                                                   c.retrieve(2);
                                                   c.quit();
                                                 },
                                                 "DELE 1\r\n"),
                                             S("+OK\r\n", "RETR 2\r\n"),
                                             S("-ERR [SYS/TEMP] storage error\r\n", ""),
                                             A([](Client& c) { c.quit(); }, "")},
             [](const Client& c, const Run& run) {
               CHECK(c.error().code == "pop3.retr_failed");
               CHECK(c.error().server_says == "-ERR [SYS/TEMP] storage error");
               CHECK(run.sent.find("QUIT") == std::string::npos);
               CHECK_FALSE(c.done());
             });
}

TEST_CASE("pop3/client: UIDL, LIST fallback, and a bad unique-id") {
  transcript(options(),
             logged_in() + std::vector<Step>{A([](Client& c) { c.uidl(); }, "UIDL\r\n"),
                                             S("+OK\r\n1 whq1\r\n2 whq2\r\n3 whq3\r\n.\r\n", "")},
             [](const Client& c, const Run& run) {
               REQUIRE(c.listing().size() == 3);
               CHECK(c.listing_has_uids());
               CHECK(c.listing()[2].number == 3);
               CHECK(c.listing()[2].uid == "whq3");
               CHECK(run.events.back().detail == "3 messages listed by UIDL");
             });
  transcript(
      options(),
      logged_in() + std::vector<Step>{A([](Client& c) { c.uidl(); }, "UIDL\r\n"),
                                      S("-ERR unknown command\r\n", "LIST\r\n"),
                                      S("+OK 3 messages\r\n1 100\r\n2 200\r\n3 600\r\n.\r\n", "")},
      [](const Client& c, const Run&) {
        REQUIRE(c.listing().size() == 3);
        CHECK_FALSE(c.listing_has_uids());
        CHECK(c.listing()[1].size == 200);
        CHECK(c.idle());
      });
  transcript(options(),
             logged_in() + std::vector<Step>{A([](Client& c) { c.uidl(); }, "UIDL\r\n"),
                                             S("+OK\r\n1 ok\r\n2 bad\x01uid\r\n.\r\n", "")},
             [](const Client& c, const Run&) { CHECK(c.error().code == "pop3.bad_uidl"); });
}

TEST_CASE("pop3/client: EOF before done, mid-payload, and after QUIT") {
  transcript(options(), logged_in() + std::vector<Step>{A([](Client& c) { c.on_eof(); }, "")},
             [](const Client& c, const Run&) {
               CHECK(c.error().code == "pop3.connection_closed");
               CHECK(c.error().category == mv::Category::network);
             });
  transcript(options(),
             logged_in() + std::vector<Step>{A([](Client& c) { c.retrieve(1); }, "RETR 1\r\n"),
                                             S("+OK\r\nSubject: x\r\n\r\nbody\r\n", ""),
                                             A([](Client& c) { c.on_eof(); }, "")},
             [](const Client& c, const Run&) { CHECK(c.error().code == "pop3.truncated"); });
  transcript(
      options(),
      logged_in() + std::vector<Step>{A([](Client& c) { c.quit(); }, "QUIT\r\n"), S("+OK\r\n", ""),
                                      A([](Client& c) { c.on_eof(); }, "")},
      [](const Client& c, const Run&) {
        CHECK(c.done());
        CHECK_FALSE(c.error());
      });
}

TEST_CASE("pop3/client: greeting refused, garbage, replies out of turn, unsolicited data") {
  transcript(options(), {S("-ERR [SYS/TEMP] too busy\r\n", "")},
             [](const Client& c, const Run& run) {
               CHECK(c.error().code == "pop3.greeting_refused");
               CHECK(run.sent.empty());
             });
  transcript(options(), {S("220 smtp.example.org ESMTP\r\n", "")},
             [](const Client& c, const Run&) { CHECK(c.error().code == "pop3.bad_status"); });
  transcript(options(), logged_in() + std::vector<Step>{S("+OK surprise\r\n", "")},
             [](const Client& c, const Run&) { CHECK(c.error().code == "pop3.unexpected_data"); });
  transcript(options(), {S(kGreeting, "CAPA\r\n"), S("+ \r\n", "")},
             [](const Client& c, const Run&) { CHECK(c.error().code == "pop3.bad_status"); });
  // The reply to CAPA arrives before the pump wrote CAPA: the server is not waiting for us.
  Client c(options());
  c.on_bytes(kGreeting + kCapaUser);
  CHECK(c.error().code == "pop3.unexpected_reply");
  CHECK(c.output().empty());
}

TEST_CASE("pop3/client: USER/PASS refuses credentials that would inject a command") {
  auto o = options();
  o.credentials.secret = "x\r\nDELE 1";
  transcript(o, {S(kGreeting, "CAPA\r\n"), S(kCapaUser, "")}, [](const Client& c, const Run& run) {
    CHECK(c.error().code == "pop3.bad_credentials");
    CHECK(run.sent == "CAPA\r\n");
  });
}
