// SPDX-License-Identifier: Apache-2.0
// The SMTP client as transcripts: server bytes in, the exact client bytes out. Each transcript is
// run with every server turn fed whole, at each of its split points and byte by byte, and every run
// must give the same client bytes, events and outcome.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "protocols/smtp/client.hpp"
#include "tests/support/fixed_message.hpp"
#include "tests/support/split_feed.hpp"

namespace {

using mv::Category;
using mv::SmtpClient;
using mv::SmtpOptions;

using mv::test::FixedMessage;

struct Step {
  std::string server;      // bytes the server sends in this turn
  std::string client;      // the exact bytes the client must send in answer
  bool tls_ready = false;  // the pump runs the TLS handshake after this turn
  bool eof = false;        // the server closes the connection after this turn
};

struct Result {
  std::vector<std::string> sent;  // client bytes after each step
  std::string before_greeting;    // client bytes before the server said anything
  bool early_output = false;      // output appeared before a turn's last server byte
  bool tls_pause_ok = true;       // at each tls_ready step: wants_tls() and nothing to send
  bool done = false;
  Category category = Category::none;
  std::string code, detail, server_says, step;
  std::vector<std::string> events;
  std::string queue_id, accept_reply;
  std::size_t turns = 0;
  bool tls_active = false;
  bool wants_tls = false;

  bool operator==(const Result&) const = default;
};

std::string drain(SmtpClient& c) {
  std::string all;
  for (;;) {
    const std::string_view out = c.output();
    if (out.empty()) return all;
    all.append(out);
    c.consume(out.size());
  }
}

// Runs the transcript; step `split_step` is fed as `chunks` (the others whole). split_step ==
// steps.size() with empty chunks: every step byte by byte.
Result run(const SmtpOptions& options, const std::vector<Step>& steps, std::size_t split_step,
           const std::vector<std::string_view>& chunks, bool all_bytes = false) {
  Result r;
  SmtpClient c(options);
  r.before_greeting = drain(c);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    std::vector<std::string_view> feed;
    if (all_bytes) {
      for (std::size_t b = 0; b < steps[i].server.size(); ++b) {
        feed.push_back(std::string_view(steps[i].server).substr(b, 1));
      }
    } else if (i == split_step) {
      feed = chunks;
    } else {
      feed = {steps[i].server};
    }
    for (std::size_t k = 0; k < feed.size(); ++k) {
      c.on_bytes(feed[k]);
      if (k + 1 < feed.size() && !c.output().empty()) r.early_output = true;
    }
    if (steps[i].tls_ready) {
      if (!c.wants_tls() || !c.output().empty()) r.tls_pause_ok = false;
      c.on_tls_ready();
    }
    if (steps[i].eof) c.on_eof();
    r.sent.push_back(drain(c));
  }
  r.done = c.done();
  r.category = c.error().category;
  r.code = c.error().code;
  r.detail = c.error().detail;
  r.server_says = c.error().server_says;
  r.step = c.error().step;
  while (auto e = c.next_event())
    r.events.push_back(e->step + ": " + e->detail);
  r.queue_id = c.queue_id();
  r.accept_reply = c.accept_reply();
  r.turns = c.turns();
  r.tls_active = c.tls_active();
  r.wants_tls = c.wants_tls();
  return r;
}

// Runs every split of every step, checks they agree with the whole run and that the whole run sent
// exactly the expected client bytes. Returns the whole run.
Result transcript(const SmtpOptions& options, const std::vector<Step>& steps) {
  const Result whole = run(options, steps, steps.size(), {});
  CHECK(whole.before_greeting.empty());
  CHECK_FALSE(whole.early_output);
  CHECK(whole.tls_pause_ok);
  REQUIRE(whole.sent.size() == steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    INFO("step " << i << " server: " << steps[i].server);
    CHECK(whole.sent[i] == steps[i].client);
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto splits = mv::test::all_splits(steps[i].server);
    for (std::size_t s = 1; s < splits.size(); ++s) {
      INFO("step " << i << " split " << s);
      CHECK(run(options, steps, i, splits[s]) == whole);
    }
  }
  CHECK(run(options, steps, steps.size(), {}, true) == whole);
  return whole;
}

const std::string kUser = "alice@example.com";
const std::string kSecret = "s3cret";
const std::string kPlainIr = "AGFsaWNlQGV4YW1wbGUuY29tAHMzY3JldA==";  // \0alice@example.com\0s3cret

SmtpOptions options(FixedMessage* msg = nullptr) {
  SmtpOptions o;
  o.ehlo_name = "client.example";
  o.tls = mv::TlsMode::starttls;
  o.credentials = mv::Credentials{kUser, kSecret, false, "mail.example.com", 587};
  o.mail_from = kUser;
  o.rcpt_to = kUser;
  o.message = msg;
  return o;
}

const std::string kGreeting = "220 mail.example.com ESMTP Postfix\r\n";
const std::string kEhlo = "EHLO client.example\r\n";
// Postfix with smtpd_tls_auth_only: no AUTH before TLS.
const std::string kEhloPlain =
    "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n";
const std::string kEhloTls =
    "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n";
const std::string kTlsReady = "220 2.0.0 Ready to start TLS\r\n";

// Greeting, EHLO, STARTTLS, EHLO again: the common opening. The last step's client bytes follow.
std::vector<Step> opening(const std::string& ehlo_tls, const std::string& after) {
  return {{kGreeting, kEhlo},
          {kEhloPlain, "STARTTLS\r\n"},
          {kTlsReady, kEhlo, true},
          {ehlo_tls, after}};
}

const std::string kBody =
    "Subject: hi\r\n\r\nline one\r\n.leading dot\r\n..two dots\r\n.\r\nend without newline";
const std::string kStuffed =
    "Subject: hi\r\n\r\nline one\r\n..leading dot\r\n...two dots\r\n..\r\nend without newline"
    "\r\n.\r\n";

bool mentions_secret(const Result& r) {
  auto has = [](const std::string& s) {
    return s.find(kSecret) != std::string::npos || s.find(kPlainIr) != std::string::npos ||
           s.find("czNjcmV0") != std::string::npos;
  };
  if (has(r.detail) || has(r.server_says) || has(r.code)) return true;
  return std::any_of(r.events.begin(), r.events.end(), has);
}

}  // namespace

TEST_CASE("smtp/client: STARTTLS, AUTH PLAIN and a pipelined send") {
  FixedMessage msg(kBody);
  auto steps = opening(kEhloTls, "AUTH PLAIN " + kPlainIr + "\r\n");
  steps.push_back({"235 2.7.0 Authentication successful\r\n",
                   "MAIL FROM:<alice@example.com> SIZE=" + std::to_string(kBody.size()) +
                       "\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n"});
  steps.push_back({"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n",
                   kStuffed + "QUIT\r\n"});  // RFC 2920: QUIT may end the group the content starts
  steps.push_back({"250 2.0.0 Ok: queued as 4ABC123\r\n", ""});
  steps.push_back({"221 2.0.0 Bye\r\n", ""});
  const Result r = transcript(options(&msg), steps);
  CHECK(r.done);
  CHECK(r.code.empty());
  CHECK(r.tls_active);
  CHECK(r.queue_id == "4ABC123");
  CHECK(r.accept_reply == "250 2.0.0 Ok: queued as 4ABC123");
  // EHLO, STARTTLS, EHLO, AUTH, MAIL+RCPT+DATA (one flush), the data with QUIT.
  CHECK(r.turns == 6);
  CHECK(r.events == std::vector<std::string>{
                        "smtp.greeting: mail.example.com ESMTP Postfix",
                        "smtp.ehlo: ESMTP STARTTLS PIPELINING SIZE 10240000 8BITMIME SMTPUTF8 "
                        "ENHANCEDSTATUSCODES",
                        "smtp.starttls: TLS established; capabilities asked again",
                        "smtp.ehlo: ESMTP PIPELINING SIZE 10240000 8BITMIME ENHANCEDSTATUSCODES "
                        "AUTH PLAIN LOGIN",
                        "smtp.auth: mechanism PLAIN",
                        "smtp.mail: sender and recipient accepted (pipelined)",
                        "smtp.data: accepted, queued as 4ABC123",
                        "smtp.quit: 221",
                    });
  CHECK_FALSE(mentions_secret(r));
}

TEST_CASE("smtp/client: capabilities are what the server said, after TLS only what it said then") {
  FixedMessage msg(kBody);
  SmtpClient c(options(&msg));
  c.on_bytes(kGreeting);
  drain(c);
  c.on_bytes(kEhloPlain);
  CHECK(c.capabilities().starttls);
  CHECK(c.capabilities().smtputf8);
  CHECK(c.capabilities().size_limit == std::optional<std::size_t>(10240000));
  CHECK(c.capabilities().auth.empty());
  drain(c);
  c.on_bytes(kTlsReady);
  CHECK(c.wants_tls());
  CHECK_FALSE(c.tls_active());
  c.on_tls_ready();
  CHECK(c.tls_active());
  CHECK_FALSE(c.capabilities().esmtp);  // forgotten until the new EHLO answers
  CHECK_FALSE(c.capabilities().starttls);
  drain(c);
  c.on_bytes(
      "250-mail.example.com\r\n250-AUTH=LOGIN PLAIN\r\n250-AUTH PLAIN CRAM-MD5 SCRAM-SHA-256\r\n"
      "250 SIZE\r\n");
  const auto& caps = c.capabilities();
  CHECK(caps.esmtp);
  CHECK_FALSE(caps.starttls);
  CHECK_FALSE(caps.pipelining);
  CHECK(caps.size_limit == std::optional<std::size_t>(0));
  CHECK(caps.auth_names == std::vector<std::string>{"LOGIN", "PLAIN", "CRAM-MD5", "SCRAM-SHA-256"});
  CHECK(caps.auth == std::vector<mv::Mechanism>{mv::Mechanism::login, mv::Mechanism::plain,
                                                mv::Mechanism::cram_md5});
}

TEST_CASE("smtp/client: without PIPELINING, MAIL, RCPT and DATA go one at a time") {
  FixedMessage msg(kBody);
  const std::string ehlo = "250-mail.example.com\r\n250 AUTH PLAIN\r\n";
  auto steps = opening(ehlo, "AUTH PLAIN " + kPlainIr + "\r\n");
  steps.push_back({"235 2.7.0 ok\r\n", "MAIL FROM:<alice@example.com>\r\n"});
  steps.push_back({"250 2.1.0 Ok\r\n", "RCPT TO:<alice@example.com>\r\n"});
  steps.push_back({"251 2.1.5 forwarding\r\n", "DATA\r\n"});
  steps.push_back({"354 go ahead\r\n", kStuffed});
  steps.push_back({"250 OK id=1abcDE-000123-XY\r\n", "QUIT\r\n"});
  steps.push_back({"221 bye\r\n", ""});
  const Result r = transcript(options(&msg), steps);
  CHECK(r.done);
  CHECK(r.queue_id == "1abcDE-000123-XY");
  CHECK(r.turns == 9);
  CHECK(std::find(r.events.begin(), r.events.end(), "smtp.mail: sender and recipient accepted") !=
        r.events.end());
}

TEST_CASE("smtp/client: implicit TLS, AUTH LOGIN, then QUIT when there is no message") {
  auto o = options();
  o.tls = mv::TlsMode::implicit;
  o.mechanism = mv::Mechanism::login;
  CHECK(SmtpClient(o).tls_active());
  const Result r = transcript(
      o, {{kGreeting, kEhlo},
          {"250-mail.example.com\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n", "AUTH LOGIN\r\n"},
          {"334 VXNlcm5hbWU6\r\n", "YWxpY2VAZXhhbXBsZS5jb20=\r\n"},
          {"334 UGFzc3dvcmQ6\r\n", "czNjcmV0\r\n"},
          {"235 2.7.0 Authentication successful\r\n", "QUIT\r\n"},
          {"221 2.0.0 Bye\r\n", ""}});
  CHECK(r.done);
  CHECK(r.tls_active);
  CHECK(r.turns == 5);
  CHECK(r.events.at(2) == "smtp.auth: mechanism LOGIN");
  CHECK_FALSE(mentions_secret(r));
}

TEST_CASE("smtp/client: the old AUTH=LOGIN syntax alone is enough") {
  auto o = options();
  o.tls = mv::TlsMode::implicit;
  const Result r = transcript(
      o, {{kGreeting, kEhlo},
          {"250-mail.example.com\r\n250 AUTH=LOGIN\r\n", "AUTH LOGIN\r\n"},
          {"334 VXNlcm5hbWU6\r\n", "YWxpY2VAZXhhbXBsZS5jb20=\r\n"},
          {"334 UGFzc3dvcmQ6\r\n", "czNjcmV0\r\n"},
          {"235 ok\r\n", "QUIT\r\n"},
          {"", "", false, true}});  // the server hangs up instead of answering QUIT: fine
  CHECK(r.done);
  CHECK(r.code.empty());
}

TEST_CASE("smtp/client: CRAM-MD5 (RFC 2195 example) is preferred without TLS") {
  auto o = options();
  o.tls = mv::TlsMode::none;
  o.allow_plaintext = true;
  o.credentials = mv::Credentials{"tim", "tanstaaftanstaaf", false, "", 0};
  const Result r = transcript(
      o, {{kGreeting, kEhlo},
          {"250-mail.example.com\r\n250 AUTH LOGIN PLAIN CRAM-MD5\r\n", "AUTH CRAM-MD5\r\n"},
          {"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n",
           "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"},
          {"235 ok\r\n", "QUIT\r\n"},
          {"221 bye\r\n", ""}});
  CHECK(r.done);
  CHECK_FALSE(r.tls_active);
}

TEST_CASE("smtp/client: STARTTLS reply followed by injected plaintext aborts, sending nothing") {
  FixedMessage msg(kBody);
  const Result r = transcript(options(&msg), {{kGreeting, kEhlo},
                                              {kEhloPlain, "STARTTLS\r\n"},
                                              {"220 2.0.0 Ready to start TLS\r\n250 ok\r\n", ""}});
  CHECK(r.code == "smtp.starttls_injection");
  CHECK(r.category == Category::tls);
  CHECK(r.step == "smtp.starttls");
  CHECK_FALSE(r.wants_tls);
  CHECK_FALSE(r.tls_active);
  CHECK_FALSE(r.done);

  // A late on_tls_ready() after the abort changes nothing.
  SmtpClient c(options(&msg));
  c.on_bytes(kGreeting);
  drain(c);
  c.on_bytes(kEhloPlain);
  drain(c);
  c.on_bytes("220 go\r\nX");
  c.on_tls_ready();
  CHECK(c.output().empty());
  CHECK(c.error().code == "smtp.starttls_injection");
}

TEST_CASE("smtp/client: STARTTLS not offered or refused never continues in plaintext") {
  FixedMessage msg(kBody);
  const Result missing =
      transcript(options(&msg),
                 {{kGreeting, kEhlo}, {"250-mail.example.com\r\n250 AUTH PLAIN LOGIN\r\n", ""}});
  CHECK(missing.code == "smtp.starttls_unavailable");
  CHECK(missing.category == Category::tls);
  CHECK(missing.step == "smtp.starttls");

  const Result refused =
      transcript(options(&msg), {{kGreeting, kEhlo},
                                 {kEhloPlain, "STARTTLS\r\n"},
                                 {"454 4.7.0 TLS not available due to local problem\r\n", ""}});
  CHECK(refused.code == "smtp.starttls_refused");
  CHECK(refused.category == Category::temporary);  // a 4xx: retry later, still never plaintext
  CHECK(refused.server_says == "454 4.7.0 TLS not available due to local problem");
}

TEST_CASE("smtp/client: no credential byte without TLS unless plaintext is allowed") {
  auto o = options();
  o.tls = mv::TlsMode::none;
  const Result r =
      transcript(o, {{kGreeting, kEhlo}, {"250-mail.example.com\r\n250 AUTH PLAIN LOGIN\r\n", ""}});
  CHECK(r.code == "smtp.plaintext_auth_refused");
  CHECK(r.category == Category::policy);
  CHECK(r.step == "smtp.auth");
  CHECK_FALSE(mentions_secret(r));

  // With consent, and no CRAM-MD5 offered, PLAIN goes out.
  o.allow_plaintext = true;
  const Result allowed = transcript(
      o, {{kGreeting, kEhlo},
          {"250-mail.example.com\r\n250 AUTH PLAIN LOGIN\r\n", "AUTH PLAIN " + kPlainIr + "\r\n"},
          {"235 ok\r\n", "QUIT\r\n"},
          {"221 bye\r\n", ""}});
  CHECK(allowed.done);
}

TEST_CASE("smtp/client: AUTH offered only before TLS counts for nothing") {
  FixedMessage msg(kBody);
  const std::vector<Step> steps = {
      {kGreeting, kEhlo},
      {"250-mail.example.com\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n", "STARTTLS\r\n"},
      {kTlsReady, kEhlo, true},
      {"250-mail.example.com\r\n250 PIPELINING\r\n", ""}};
  const Result r = transcript(options(&msg), steps);
  CHECK(r.code == "smtp.auth_unavailable");
  CHECK(r.category == Category::auth);
  CHECK(r.detail.find("did not offer AUTH") != std::string::npos);
}

TEST_CASE("smtp/client: a chosen mechanism the server lacks, or none that fits") {
  auto o = options();
  o.tls = mv::TlsMode::implicit;
  o.mechanism = mv::Mechanism::cram_md5;
  const Result chosen =
      transcript(o, {{kGreeting, kEhlo}, {"250-x\r\n250 AUTH PLAIN LOGIN\r\n", ""}});
  CHECK(chosen.code == "smtp.auth_mechanism_unavailable");
  CHECK(chosen.detail.find("PLAIN LOGIN") != std::string::npos);

  o.mechanism.reset();
  o.credentials->is_token = true;
  const Result token =
      transcript(o, {{kGreeting, kEhlo}, {"250-x\r\n250 AUTH PLAIN LOGIN\r\n", ""}});
  CHECK(token.code == "smtp.auth_mechanism_unavailable");
}

TEST_CASE("smtp/client: XOAUTH2 error challenge is answered empty, then the 535 is reported") {
  auto o = options();
  o.tls = mv::TlsMode::implicit;
  o.credentials = mv::Credentials{kUser, "ya29.tok", true, "", 0};
  const Result r = transcript(
      o, {{kGreeting, kEhlo},
          {"250-smtp.gmail.com\r\n250 AUTH LOGIN PLAIN XOAUTH2\r\n",
           "AUTH XOAUTH2 dXNlcj1hbGljZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnRvawEB\r\n"},
          {"334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29v"
           "Z2xlLmNvbS8ifQ==\r\n",
           "\r\n"},
          {"535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 https://support.google.com"
           "\r\n",
           ""}});
  CHECK(r.code == "smtp.auth_failed");
  CHECK(r.category == Category::auth);
  CHECK(r.detail.find("5.7.8") != std::string::npos);
  CHECK(r.detail.find("\"status\":\"401\"") != std::string::npos);
  CHECK(r.server_says ==
        "535 5.7.8 Username and Password not accepted. 5.7.8 https://support.google.com");
  CHECK(r.detail.find("ya29.tok") == std::string::npos);
}

// The one cancel policy (RFC 4954 4): "*", then the server's error ends the exchange; a server
// that accepts the cancelled exchange fails it the same way.
TEST_CASE("smtp/client: a challenge that is not base64 is cancelled with *") {
  auto o = options();
  o.tls = mv::TlsMode::implicit;
  o.mechanism = mv::Mechanism::login;
  auto cancelled_then = [&](std::string final_reply) {
    return transcript(o, {{kGreeting, kEhlo},
                          {"250-x\r\n250 AUTH LOGIN\r\n", "AUTH LOGIN\r\n"},
                          {"334 VXNlcm5hbWU6!\r\n", "*\r\n"},
                          {std::move(final_reply), ""}});
  };
  const Result r = cancelled_then("501 5.7.0 Authentication cancelled\r\n");
  CHECK(r.code == "smtp.bad_challenge");
  CHECK(r.category == Category::protocol);
  CHECK(r.detail.find("not valid base64") != std::string::npos);
  CHECK(r.server_says == "501 5.7.0 Authentication cancelled");
  CHECK_FALSE(mentions_secret(r));

  const Result accepted = cancelled_then("235 2.7.0 Authentication successful\r\n");
  CHECK(accepted.code == "smtp.bad_challenge");
  CHECK(accepted.detail.find("accepted the cancelled exchange") != std::string::npos);
}

TEST_CASE("smtp/client: more challenges than Limits::max_sasl_rounds are cancelled with *") {
  auto o = options();
  o.tls = mv::TlsMode::implicit;
  o.mechanism = mv::Mechanism::login;
  o.limits.max_sasl_rounds = 2;
  const Result r = transcript(o, {{kGreeting, kEhlo},
                                  {"250-x\r\n250 AUTH LOGIN\r\n", "AUTH LOGIN\r\n"},
                                  {"334 VXNlcm5hbWU6\r\n", "YWxpY2VAZXhhbXBsZS5jb20=\r\n"},
                                  {"334 UGFzc3dvcmQ6\r\n", "czNjcmV0\r\n"},
                                  {"334 UGFzc3dvcmQ6\r\n", "*\r\n"},
                                  {"501 5.7.0 cancelled\r\n", ""}});
  CHECK(r.code == "smtp.bad_challenge");
  CHECK(r.detail.find("more than 2") != std::string::npos);
  CHECK_FALSE(mentions_secret(r));
}

TEST_CASE("smtp/client: 535 5.7.139 keeps the server's words and the enhanced code") {
  FixedMessage msg(kBody);
  auto steps = opening("250-outlook.office365.com\r\n250-PIPELINING\r\n250 AUTH LOGIN XOAUTH2\r\n",
                       "AUTH LOGIN\r\n");
  steps.push_back({"334 VXNlcm5hbWU6\r\n", "YWxpY2VAZXhhbXBsZS5jb20=\r\n"});
  steps.push_back({"334 UGFzc3dvcmQ6\r\n", "czNjcmV0\r\n"});
  steps.push_back(
      {"535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
       "[AM0PR01CA0001.eurprd01.prod.exchangelabs.com]\r\n",
       ""});
  const Result r = transcript(options(&msg), steps);
  CHECK(r.code == "smtp.auth_failed");
  CHECK(r.category == Category::auth);
  CHECK(r.step == "smtp.auth");
  CHECK(r.detail == "the server refused AUTH LOGIN (535 5.7.139)");
  CHECK(r.server_says ==
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
        "[AM0PR01CA0001.eurprd01.prod.exchangelabs.com]");
  CHECK_FALSE(mentions_secret(r));
}

TEST_CASE("smtp/client: refusals at the greeting") {
  const Result blocked = transcript(options(), {{"554 5.7.1 Your IP is on a blocklist\r\n", ""}});
  CHECK(blocked.code == "smtp.greeting_refused");
  CHECK(blocked.category == Category::policy);
  CHECK(blocked.step == "smtp.greeting");
  CHECK(blocked.server_says == "554 5.7.1 Your IP is on a blocklist");

  const Result busy =
      transcript(options(), {{"421-4.3.2 Too many connections\r\n421 try later\r\n", ""}});
  CHECK(busy.code == "smtp.greeting_refused");
  CHECK(busy.category == Category::temporary);  // 421: "service not available", for now
  CHECK(busy.server_says == "421 4.3.2 Too many connections try later");
}

namespace {

// Implicit TLS, no AUTH: straight from EHLO to the mail transaction.
SmtpOptions mail_only(FixedMessage* msg) {
  auto o = options(msg);
  o.tls = mv::TlsMode::implicit;
  o.credentials.reset();
  return o;
}

const std::string kPipelinedMail =
    "MAIL FROM:<alice@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n";

}  // namespace

TEST_CASE("smtp/client: refusals of MAIL, RCPT, DATA and the message") {
  FixedMessage msg(kBody);
  const std::string ehlo_pipe = "250-x\r\n250 PIPELINING\r\n";
  const std::string ehlo_seq = "250 x\r\n";

  SUBCASE("pipelined MAIL refused") {
    const Result r =
        transcript(mail_only(&msg), {{kGreeting, kEhlo},
                                     {ehlo_pipe, kPipelinedMail},
                                     {"553 5.7.1 <alice@example.com>: Sender address rejected\r\n"
                                      "554 5.5.1 Error: no valid recipients\r\n"
                                      "554 5.5.1 Error: no valid recipients\r\n",
                                      ""}});
    CHECK(r.code == "smtp.mail_rejected");
    CHECK(r.category == Category::delivery);
    CHECK(r.step == "smtp.mail");
    CHECK(r.server_says == "553 5.7.1 <alice@example.com>: Sender address rejected");
  }
  SUBCASE("pipelined RCPT refused (temporarily)") {
    const Result r = transcript(
        mail_only(&msg),
        {{kGreeting, kEhlo},
         {ehlo_pipe, kPipelinedMail},
         {"250 ok\r\n450 4.2.0 <alice@example.com>: Recipient address rejected: Greylisted\r\n"
          "554 5.5.1 Error: no valid recipients\r\n",
          ""}});
    CHECK(r.code == "smtp.rcpt_rejected");
    CHECK(r.category == Category::temporary);  // greylisting: 450, retry later
  }
  SUBCASE("pipelined DATA refused") {
    const Result r = transcript(
        mail_only(&msg), {{kGreeting, kEhlo},
                          {ehlo_pipe, kPipelinedMail},
                          {"250 ok\r\n250 ok\r\n554 5.5.1 Error: no valid recipients\r\n", ""}});
    CHECK(r.code == "smtp.data_rejected");
    CHECK(r.step == "smtp.data");
  }
  SUBCASE("pipelined DATA answered 250 instead of 354") {
    const Result r = transcript(
        mail_only(&msg),
        {{kGreeting, kEhlo}, {ehlo_pipe, kPipelinedMail}, {"250 ok\r\n250 ok\r\n250 ok\r\n", ""}});
    CHECK(r.code == "smtp.unexpected_reply");
    CHECK(r.category == Category::protocol);
  }
  SUBCASE("sequential RCPT refused") {
    const Result r = transcript(
        mail_only(&msg),
        {{kGreeting, kEhlo},
         {ehlo_seq, "MAIL FROM:<alice@example.com>\r\n"},
         {"250 ok\r\n", "RCPT TO:<alice@example.com>\r\n"},
         {"550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown\r\n", ""}});
    CHECK(r.code == "smtp.rcpt_rejected");
    CHECK(r.server_says ==
          "550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown");
  }
  SUBCASE("sequential MAIL refused (temporarily)") {
    const Result r = transcript(mail_only(&msg), {{kGreeting, kEhlo},
                                                  {ehlo_seq, "MAIL FROM:<alice@example.com>\r\n"},
                                                  {"451 4.3.0 Temporary lookup failure\r\n", ""}});
    CHECK(r.code == "smtp.mail_rejected");
  }
  SUBCASE("the message refused after its data") {
    for (const std::string final_reply :
         {"552 5.3.4 Message size exceeds fixed limit\r\n", "451 4.3.0 Try again later\r\n"}) {
      const Result r =
          transcript(mail_only(&msg), {{kGreeting, kEhlo},
                                       {ehlo_pipe, kPipelinedMail},
                                       {"250 ok\r\n250 ok\r\n354 go\r\n", kStuffed + "QUIT\r\n"},
                                       {final_reply, ""}});
      CHECK(r.code == "smtp.data_rejected");
      CHECK(r.category == (final_reply[0] == '4' ? Category::temporary : Category::delivery));
      CHECK(r.server_says + "\r\n" == final_reply);
      CHECK(r.accept_reply.empty());
    }
  }
}

TEST_CASE("smtp/client: a message over the SIZE limit is refused before MAIL") {
  FixedMessage msg(std::string(101, 'x'));
  const Result r = transcript(
      mail_only(&msg), {{kGreeting, kEhlo}, {"250-x\r\n250-PIPELINING\r\n250 SIZE 100\r\n", ""}});
  CHECK(r.code == "smtp.message_too_large");
  CHECK(r.category == Category::delivery);
  CHECK(r.step == "smtp.mail");

  FixedMessage fits(std::string(100, 'x'));
  const Result ok =
      transcript(mail_only(&fits),
                 {{kGreeting, kEhlo},
                  {"250-x\r\n250 SIZE 100\r\n", "MAIL FROM:<alice@example.com> SIZE=100\r\n"}});
  CHECK(ok.code.empty());
}

TEST_CASE("smtp/client: no credentials means no AUTH; Microsoft's queue id") {
  FixedMessage msg(kBody);
  auto o = options(&msg);
  o.credentials.reset();
  auto steps =
      opening(kEhloTls, "MAIL FROM:<alice@example.com> SIZE=" + std::to_string(kBody.size()) +
                            "\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n");
  steps.push_back({"250 ok\r\n250 ok\r\n354 go\r\n", kStuffed + "QUIT\r\n"});
  steps.push_back(
      {"250 2.0.0 OK <AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.outlook.com> "
       "[Hostname=AM0PR01MB1234]\r\n",
       ""});
  steps.push_back({"221 2.0.0 Service closing transmission channel\r\n", ""});
  const Result r = transcript(o, steps);
  CHECK(r.done);
  CHECK(r.queue_id == "AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.outlook.com");
  CHECK(std::none_of(r.events.begin(), r.events.end(),
                     [](const std::string& e) { return e.starts_with("smtp.auth"); }));
}

TEST_CASE("smtp/client: EHLO refused falls back to HELO only with plaintext allowed") {
  FixedMessage msg("hi\r\n");
  auto o = options(&msg);
  o.tls = mv::TlsMode::none;
  o.credentials.reset();
  const Result strict =
      transcript(o, {{kGreeting, kEhlo}, {"502 5.5.2 Error: command not recognized\r\n", ""}});
  CHECK(strict.code == "smtp.ehlo_refused");

  o.allow_plaintext = true;
  const Result helo =
      transcript(o, {{kGreeting, kEhlo},
                     {"502 5.5.2 Error: command not recognized\r\n", "HELO client.example\r\n"},
                     {"250 mail.example.com\r\n", "MAIL FROM:<alice@example.com>\r\n"},
                     {"250 ok\r\n", "RCPT TO:<alice@example.com>\r\n"},
                     {"250 ok\r\n", "DATA\r\n"},
                     {"354 go\r\n", "hi\r\n.\r\n"},
                     {"250 ok\r\n", "QUIT\r\n"},
                     {"221 bye\r\n", ""}});
  CHECK(helo.done);
  CHECK(helo.queue_id.empty());

  // HELO knows no STARTTLS: with tls=starttls that is the end.
  auto s = options(&msg);
  s.allow_plaintext = true;
  const Result no_tls = transcript(s, {{kGreeting, kEhlo},
                                       {"500 unrecognized\r\n", "HELO client.example\r\n"},
                                       {"250 mail.example.com\r\n", ""}});
  CHECK(no_tls.code == "smtp.starttls_unavailable");
}

TEST_CASE("smtp/client: the connection closing early is a network error naming the step") {
  FixedMessage msg(kBody);
  const Result ehlo = transcript(options(&msg), {{kGreeting, kEhlo}, {"", "", false, true}});
  CHECK(ehlo.code == "smtp.connection_closed");
  CHECK(ehlo.category == Category::network);
  CHECK(ehlo.step == "smtp.ehlo");

  const Result mid_reply =
      transcript(mail_only(&msg), {{kGreeting, kEhlo},
                                   {"250-x\r\n250 PIPELINING\r\n", kPipelinedMail},
                                   {"250 ok\r\n250 ok\r\n35", "", false, true}});
  CHECK(mid_reply.code == "smtp.connection_closed");
  CHECK(mid_reply.step == "smtp.data");
}

TEST_CASE("smtp/client: a server talking out of turn is a protocol error") {
  FixedMessage msg(kBody);
  // The 250 answers an EHLO the client has not sent yet (the pump never wrote it), in any split.
  const std::string early = kGreeting + "250 early\r\n";
  for (const auto& chunks : mv::test::all_splits(early)) {
    SmtpClient c(options(&msg));
    for (std::string_view chunk : chunks)
      c.on_bytes(chunk);
    CHECK(c.error().code == "smtp.unexpected_reply");
    CHECK(c.error().category == Category::protocol);
    CHECK(c.error().server_says == "250 early");
    CHECK(c.output().empty());
  }

  // A reply while the message is still streaming.
  mv::Limits limits;
  limits.output_chunk = 64;
  FixedMessage big(std::string(1000, 'a'));
  auto o = mail_only(&big);
  o.limits = limits;
  SmtpClient c(o);
  c.on_bytes(kGreeting);
  drain(c);
  c.on_bytes("250-x\r\n250 PIPELINING\r\n");
  drain(c);
  c.on_bytes("250 ok\r\n250 ok\r\n354 go\r\n");
  const std::string_view first = c.output();
  REQUIRE_FALSE(first.empty());
  c.consume(first.size());
  c.on_bytes("554 5.0.0 go away\r\n");
  CHECK(c.error().code == "smtp.unexpected_reply");
  CHECK(c.output().empty());

  // After QUIT was answered, more bytes change nothing.
  FixedMessage small("x\r\n");
  const Result after =
      transcript(mail_only(&small), {{kGreeting, kEhlo},
                                     {"250 x\r\n", "MAIL FROM:<alice@example.com>\r\n"},
                                     {"250 ok\r\n", "RCPT TO:<alice@example.com>\r\n"},
                                     {"250 ok\r\n", "DATA\r\n"},
                                     {"354 go\r\n", "x\r\n.\r\n"},
                                     {"250 ok\r\n", "QUIT\r\n"},
                                     {"221 bye\r\n250 extra\r\n", ""}});
  CHECK(after.done);
  CHECK(after.code.empty());
}

TEST_CASE("smtp/client: the body streams with flat memory and exact stuffing") {
  std::string text, stuffed;
  for (int i = 0; i < 20000; ++i) {
    const std::string line = (i % 7 == 0 ? "." : "") + std::string("line ") + std::to_string(i);
    text += line + "\r\n";
    stuffed += (line[0] == '.' ? "." : "") + line + "\r\n";
  }
  stuffed += ".\r\nQUIT\r\n";  // QUIT rides with the final dot under PIPELINING
  FixedMessage msg(text);
  auto o = mail_only(&msg);
  o.limits.output_chunk = 1024;
  SmtpClient c(o);
  c.on_bytes(kGreeting);
  drain(c);
  c.on_bytes("250-x\r\n250 PIPELINING\r\n");
  CHECK(drain(c) == kPipelinedMail);
  c.on_bytes("250 ok\r\n250 ok\r\n354 go\r\n");
  std::string sent;
  std::size_t largest = 0;
  for (;;) {
    const std::string_view out = c.output();
    if (out.empty()) break;
    largest = std::max(largest, out.size());
    // The pump may write less than offered.
    const std::size_t n = std::min<std::size_t>(out.size(), 700);
    sent.append(out.substr(0, n));
    c.consume(n);
  }
  CHECK(sent == stuffed);
  CHECK(largest <= 2 * o.limits.output_chunk);
  c.on_bytes("250 2.0.0 Ok: queued as 9XYZ\r\n");
  CHECK(drain(c).empty());
  CHECK(c.queue_id() == "9XYZ");
}

TEST_CASE("smtp/client: bounds and arguments") {
  auto o = options();
  o.tls = mv::TlsMode::implicit;
  o.limits.max_capabilities = 3;
  const Result many =
      transcript(o, {{kGreeting, kEhlo},
                     {"250-x\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n", ""}});
  CHECK(many.code == "smtp.too_many_capabilities");

  o.limits.max_line = 32;
  const Result long_line = transcript(o, {{"220 " + std::string(40, 'a') + "\r\n", ""}});
  CHECK(long_line.code == "smtp.line_too_long");
  CHECK(long_line.step == "smtp.greeting");

  // A CR or LF in a value would inject a command.
  auto bad = options();
  bad.rcpt_to = "bob@example.com>\r\nRCPT TO:<eve@example.com";
  SmtpClient c(bad);
  CHECK(c.error().code == "smtp.bad_argument");
  CHECK(c.error().category == Category::usage);
  c.on_bytes(kGreeting);
  CHECK(c.output().empty());
}

TEST_CASE("smtp/client: a non-ASCII address goes out with SMTPUTF8 when offered (RFC 6531)") {
  FixedMessage msg(std::string(100, 'x'));
  auto o = mail_only(&msg);
  o.mail_from = o.rcpt_to = "j\u00FCrgen@xn--bcher-kva.example";
  const Result r =
      transcript(o, {{kGreeting, kEhlo},
                     {"250-x\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                      "MAIL FROM:<j\u00FCrgen@xn--bcher-kva.example> SMTPUTF8 BODY=8BITMIME\r\n"},
                     {"250 ok\r\n", "RCPT TO:<j\u00FCrgen@xn--bcher-kva.example>\r\n"}});
  CHECK(r.code.empty());
}

TEST_CASE("smtp/client: a non-ASCII address without SMTPUTF8 is refused before MAIL, saying why") {
  FixedMessage msg(std::string(100, 'x'));
  auto o = mail_only(&msg);
  o.rcpt_to = "j\u00FCrgen@xn--bcher-kva.example";
  const Result r = transcript(o, {{kGreeting, kEhlo}, {"250-x\r\n250 8BITMIME\r\n", ""}});
  CHECK(r.code == "smtp.smtputf8_unsupported");
  CHECK(r.category == Category::delivery);
  CHECK(r.step == "smtp.mail");
  CHECK(r.detail.find("SMTPUTF8") != std::string::npos);
  // An ASCII address never asks for it.
  const Result ascii = transcript(
      mail_only(&msg),
      {{kGreeting, kEhlo}, {"250-x\r\n250 SMTPUTF8\r\n", "MAIL FROM:<alice@example.com>\r\n"}});
  CHECK(ascii.code.empty());
}
