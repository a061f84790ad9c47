// SPDX-License-Identifier: Apache-2.0
// Scripted servers refusing at every step, temporarily and permanently, in the words and codes
// real servers use (sources in the comments), against the real engine and diagnosis: the error's
// category, the exit code, the step, and that a temporary or policy refusal never blames the
// password. SMTP replies: RFC 5321 4.2 / RFC 3463 codes; IMAP: RFC 5530 response codes and
// [ALERT]; POP3: RFC 2449 [IN-USE]/[LOGIN-DELAY], RFC 3206 [SYS/TEMP]/[SYS/PERM]/[AUTH].
#include <doctest/doctest.h>

#include <string>

#include "tests/support/hostile.hpp"
#include "tools/exit_codes.hpp"

namespace {

using mv::Category;
using mv::Receive;
using mv::TlsMode;
using namespace mv::test::hostile;

struct Expect {
  const char* code;
  Category category;
  int exit_code;
  const char* step;
};

// What the user must never be told for a refusal that is not about the password.
bool blames_password(const mv::Error& e) {
  for (const std::string* s : {&e.cause, &e.fix}) {
    for (const char* blame : {"check the password", "user name or password", "wrong password"})
      if (s->find(blame) != std::string::npos) return true;
  }
  return false;
}

void check(const Timed& t, const Expect& want) {
  INFO(describe(t), " / cause: ", t.error().cause, " / step: ", t.error().step);
  CHECK(t.error().code == want.code);
  CHECK(t.error().category == want.category);
  CHECK(mv::tool::exit_code_for(t.error()) == want.exit_code);
  CHECK(t.error().step == want.step);
  CHECK_FALSE(t.error().cause.empty());
  CHECK_FALSE(t.error().fix.empty());
  CHECK_FALSE(error_leaks(t.error(), kCanary));
  if (want.category == Category::temporary || want.category == Category::policy ||
      want.category == Category::delivery)
    CHECK_FALSE(blames_password(t.error()));
  if (want.category == Category::temporary)
    CHECK(t.error().cause.find("temporar") != std::string::npos);
}

// ---- SMTP (implicit TLS) ------------------------------------------------------------------------

enum class SmtpAt { greeting, auth, mail, rcpt, data };

Timed smtp_refusing(SmtpAt at, const std::string& reply) {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        if (at == SmtpAt::greeting) return p.send(reply);
        p.send("220 mx.hostile.test ESMTP\r\n");
        p.expect("EHLO localhost");
        p.send("250-mx.hostile.test\r\n250 AUTH PLAIN\r\n");
        p.expect("AUTH PLAIN ");
        if (at == SmtpAt::auth) return p.send(reply);
        p.send("235 2.7.0 Authentication successful\r\n");
        p.expect("MAIL FROM:<");
        if (at == SmtpAt::mail) return p.send(reply);
        p.send("250 2.1.0 Ok\r\n");
        p.expect("RCPT TO:<");
        if (at == SmtpAt::rcpt) return p.send(reply);
        p.send("250 2.1.5 Ok\r\n");
        p.expect("DATA");
        p.send("354 End data with <CR><LF>.<CR><LF>\r\n");
        for (auto l = p.line(); l && *l != ".\r\n"; l = p.line()) {
        }
        p.send(reply);
      },
      k.pki.cert_file, k.pki.key_file);
  Timed t = run_timed(net, smtp_config(k.pki.ca_file, s.port(), TlsMode::implicit));
  REQUIRE(s.finish());
  CHECK(s.script_error().empty());
  return t;
}

}  // namespace

TEST_CASE("refusals/smtp: temporary and permanent refusals at the greeting") {
  // RFC 5321 3.8: 421 at the greeting, the server is shutting down or overloaded.
  check(smtp_refusing(SmtpAt::greeting, "421 4.3.2 Service not available, closing channel\r\n"),
        {"smtp.greeting_refused", Category::temporary, 9, "smtp.greeting"});
  // RFC 5321 3.1: 554 "no SMTP service here", e.g. a blocklisted address.
  check(smtp_refusing(SmtpAt::greeting, "554 5.7.1 Service unavailable; client host blocked\r\n"),
        {"smtp.greeting_refused", Category::policy, 6, "smtp.greeting"});
}

TEST_CASE("refusals/smtp: AUTH refused for now is never 'check the password'") {
  // Google, support.google.com/a/answer/3726730: "454 4.7.0 Too many login attempts, please try
  // again later."
  const Timed gmail = smtp_refusing(
      SmtpAt::auth, "454 4.7.0 Too many login attempts, please try again later. - gsmtp\r\n");
  check(gmail, {"smtp.auth_failed", Category::temporary, 9, "smtp.auth"});
  // Any 4xx: RFC 4954 454 "Temporary authentication failure".
  check(smtp_refusing(SmtpAt::auth, "454 4.7.0 Temporary authentication failure\r\n"),
        {"smtp.auth_failed", Category::temporary, 9, "smtp.auth"});
  CHECK(gmail.error().signal.reply_code == 454);
  CHECK(gmail.error().signal.status.text() == "4.7.0");
}

TEST_CASE("refusals/smtp: AUTH refused by policy or for the credentials") {
  // Microsoft, learn.microsoft.com .../authenticated-client-smtp-submission.
  check(smtp_refusing(SmtpAt::auth,
                      "535 5.7.139 Authentication unsuccessful, basic authentication is "
                      "disabled. [BN9PR03CA0123.namprd03.prod.outlook.com]\r\n"),
        {"smtp.auth_failed", Category::policy, 6, "smtp.auth"});
  // Postfix/Dovecot SASL: "535 5.7.8 Error: authentication failed: authentication failure".
  const Timed wrong =
      smtp_refusing(SmtpAt::auth, "535 5.7.8 Error: authentication failed: bad password\r\n");
  check(wrong, {"smtp.auth_failed", Category::auth, 5, "smtp.auth"});
  CHECK(blames_password(wrong.error()));
  CHECK(wrong.error().signal.blames_credentials());
}

TEST_CASE("refusals/smtp: MAIL, RCPT and DATA refusals read from their enhanced codes") {
  // Exchange Online: "451 4.7.500 Server busy. Please try again later." (NDR list 4.7.500-699).
  check(smtp_refusing(SmtpAt::mail, "451 4.7.500 Server busy. Please try again later.\r\n"),
        {"smtp.mail_rejected", Category::temporary, 9, "smtp.mail"});
  // Exchange Online 5.7.60 (fix-error-code-5-7-60-in-exchange-online).
  const Timed sendas = smtp_refusing(
      SmtpAt::mail, "550 5.7.60 SMTP; Client does not have permissions to send as this sender\r\n");
  check(sendas, {"smtp.mail_rejected", Category::delivery, 7, "smtp.mail"});
  CHECK(sendas.error().cause.find("Send As") != std::string::npos);
  // The report's step for MAIL and RCPT is smtp.mail. RFC 3463 X.2.2 "Mailbox full": 452 for now
  // (RFC 5321 4.5.3.1.10), 552 for good.
  check(smtp_refusing(SmtpAt::rcpt, "452 4.2.2 Mailbox full, try again later\r\n"),
        {"smtp.rcpt_rejected", Category::temporary, 9, "smtp.mail"});
  const Timed full = smtp_refusing(SmtpAt::rcpt, "552 5.2.2 <me@example.com>: mailbox full\r\n");
  check(full, {"smtp.rcpt_rejected", Category::delivery, 7, "smtp.mail"});
  CHECK(full.error().cause.find("mailbox is full") != std::string::npos);
  // After the data: a greylisting or queue problem (4xx), a content filter (5.6.0).
  check(smtp_refusing(SmtpAt::data, "451 4.3.0 Error: queue file write error\r\n"),
        {"smtp.data_rejected", Category::temporary, 9, "smtp.data"});
  const Timed content =
      smtp_refusing(SmtpAt::data, "554 5.6.0 Message content rejected by policy\r\n");
  check(content, {"smtp.data_rejected", Category::delivery, 7, "smtp.data"});
  CHECK(content.error().cause.find("content") != std::string::npos);
}

// ---- IMAP (implicit TLS) ------------------------------------------------------------------------

namespace {

enum class ImapAt { greeting, auth, select };

Timed imap_refusing(ImapAt at, const std::string& reply, const std::string& before = {}) {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        if (at == ImapAt::greeting) return p.send(reply);
        p.send("* OK hostile IMAP ready\r\n");
        std::string tag = p.expect_imap("CAPABILITY");
        p.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n" + tag + " OK done\r\n");
        tag = p.expect_imap("AUTHENTICATE PLAIN");
        if (at == ImapAt::auth) return p.send(before + tag + " " + reply);
        p.send(tag + " OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] logged in\r\n");
        tag = p.expect_imap("SELECT");
        p.send(before + tag + " " + reply);
      },
      k.pki.cert_file, k.pki.key_file);
  Timed t =
      run_timed(net, incoming_config(k.pki.ca_file, s.port(), Receive::imap, TlsMode::implicit));
  REQUIRE(s.finish());
  CHECK(s.script_error().empty());
  return t;
}

}  // namespace

TEST_CASE("refusals/imap: BYE [UNAVAILABLE] at the greeting is temporary") {
  // RFC 5530 3: UNAVAILABLE, "temporary failure because a subsystem is down".
  check(imap_refusing(ImapAt::greeting, "* BYE [UNAVAILABLE] Server too busy, try later\r\n"),
        {"imap.greeting_bye", Category::temporary, 9, "imap.greeting"});
}

TEST_CASE("refusals/imap: a login refusal is reported at imap.auth, by its response code") {
  // RFC 5530 example: "a NO [UNAVAILABLE] User's backend down for maintenance".
  check(imap_refusing(ImapAt::auth, "NO [UNAVAILABLE] User's backend down for maintenance\r\n"),
        {"imap.auth_failed", Category::temporary, 9, "imap.auth"});
  // Gmail: "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)".
  const Timed wrong =
      imap_refusing(ImapAt::auth, "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n");
  check(wrong, {"imap.auth_failed", Category::auth, 5, "imap.auth"});
  CHECK(wrong.error().signal.response_code == "AUTHENTICATIONFAILED");
  // RFC 5530: EXPIRED, CONTACTADMIN, PRIVACYREQUIRED.
  check(imap_refusing(ImapAt::auth, "NO [CONTACTADMIN] Account locked, contact support\r\n"),
        {"imap.auth_failed", Category::policy, 6, "imap.auth"});
  check(imap_refusing(ImapAt::auth, "NO [EXPIRED] Password expired\r\n"),
        {"imap.auth_failed", Category::auth, 5, "imap.auth"});
}

TEST_CASE("refusals/imap: an [ALERT] is shown in the failure and decides the diagnosis") {
  // Gmail with IMAP switched off (its published text).
  const Timed off = imap_refusing(
      ImapAt::auth,
      "NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings "
      "page and enable your account for IMAP access. (Failure)\r\n");
  check(off, {"imap.auth_failed", Category::policy, 6, "imap.auth"});
  CHECK(off.error().cause.find("not enabled for IMAP use") != std::string::npos);
  CHECK(off.error().fix.find("enable IMAP") != std::string::npos);
  // Gmail: an untagged alert before the tagged NO (support.google.com/mail/answer/7126229).
  const Timed busy = imap_refusing(ImapAt::auth, "NO Login failed (Failure)\r\n",
                                   "* NO [ALERT] Too many simultaneous connections. (Failure)\r\n");
  check(busy, {"imap.auth_failed", Category::temporary, 9, "imap.auth"});
  CHECK(busy.error().signal.alert.find("Too many simultaneous") != std::string::npos);
  CHECK(busy.error().cause.find("Too many simultaneous") != std::string::npos);
}

TEST_CASE("refusals/imap: SELECT refused for now or by permission") {
  check(imap_refusing(ImapAt::select, "NO [UNAVAILABLE] Mailbox temporarily unavailable\r\n"),
        {"imap.select_failed", Category::temporary, 9, "imap.select"});
  check(imap_refusing(ImapAt::select, "NO [NOPERM] Permission denied\r\n"),
        {"imap.select_failed", Category::policy, 6, "imap.select"});
  // Exchange Online when IMAP is off for the mailbox or it has no licence.
  check(imap_refusing(ImapAt::select, "NO User is authenticated but not connected.\r\n"),
        {"imap.select_failed", Category::policy, 6, "imap.select"});
}

// ---- POP3 (implicit TLS) ------------------------------------------------------------------------

namespace {

enum class Pop3At { greeting, auth, stat };

Timed pop3_refusing(Pop3At at, const std::string& reply) {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        if (at == Pop3At::greeting) return p.send(reply);
        p.send("+OK hostile POP3 ready\r\n");
        p.expect("CAPA");
        p.send("+OK\r\nSASL PLAIN\r\n.\r\n");
        p.expect("AUTH PLAIN ");
        if (at == Pop3At::auth) return p.send(reply);
        p.send("+OK logged in\r\n");
        p.expect("STAT");
        p.send(reply);
      },
      k.pki.cert_file, k.pki.key_file);
  Timed t =
      run_timed(net, incoming_config(k.pki.ca_file, s.port(), Receive::pop3, TlsMode::implicit));
  REQUIRE(s.finish());
  CHECK(s.script_error().empty());
  return t;
}

}  // namespace

TEST_CASE("refusals/pop3: RFC 2449 / 3206 codes decide the category") {
  check(pop3_refusing(Pop3At::greeting, "-ERR [SYS/TEMP] Server busy, try again later\r\n"),
        {"pop3.greeting_refused", Category::temporary, 9, "pop3.greeting"});
  // RFC 2449 8.1.1: "-ERR [IN-USE] Do you have another POP session running?"
  const Timed in_use =
      pop3_refusing(Pop3At::auth, "-ERR [IN-USE] Do you have another POP session running?\r\n");
  check(in_use, {"pop3.auth_failed", Category::temporary, 9, "pop3.auth"});
  CHECK(in_use.error().cause.find("another") != std::string::npos);
  // RFC 2449 8.1.2: LOGIN-DELAY.
  check(pop3_refusing(Pop3At::auth, "-ERR [LOGIN-DELAY] Wait 15 minutes between logins\r\n"),
        {"pop3.auth_failed", Category::temporary, 9, "pop3.auth"});
  // RFC 3206 4: SYS/PERM, e.g. POP switched off for the account.
  check(pop3_refusing(Pop3At::auth, "-ERR [SYS/PERM] POP3 access is disabled for this account\r\n"),
        {"pop3.auth_failed", Category::policy, 6, "pop3.auth"});
  // RFC 3206 5: AUTH, the credentials.
  const Timed wrong = pop3_refusing(Pop3At::auth, "-ERR [AUTH] Authentication failed\r\n");
  check(wrong, {"pop3.auth_failed", Category::auth, 5, "pop3.auth"});
  CHECK(blames_password(wrong.error()));
  // After the login: STAT refused for now.
  check(pop3_refusing(Pop3At::stat, "-ERR [SYS/TEMP] Maildrop temporarily unavailable\r\n"),
        {"pop3.stat_failed", Category::temporary, 9, "pop3.stat"});
}

TEST_CASE("refusals/fingerprint: Exchange Online behind a custom name pinned like --resolve") {
  // The host typed is the user's own name (here "localhost", the name in the test certificate),
  // pinned to the server's address; only the greeting says it is Exchange Online, whose IMAP
  // takes no passwords since October 2022 and answers "NO LOGIN failed." to any.
  Pki k;
  MemoryNet net;
  HostileServer s(
      net,
      [&](Peer& p) {
        p.send(
            "* OK The Microsoft Exchange IMAP4 service is ready. "
            "[TQBOADIAUABSADEAMQBDAEEAMAAwADEANwAuAG4AYQBtAHAAcgBkADEAMQAuAHAAcgBvAGQALgBvAHUAdABs"
            "AG8AbwBrAC4AYwBvAG0A]\r\n");
        std::string tag = p.expect_imap("CAPABILITY");
        p.send(
            "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID "
            "UNSELECT CHILDREN IDLE NAMESPACE LITERAL+\r\n" +
            tag + " OK CAPABILITY completed.\r\n");
        tag = p.expect_imap("AUTHENTICATE PLAIN");
        p.send(tag + " NO AUTHENTICATE failed.\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  mv::RunConfig c = incoming_config(k.pki.ca_file, s.port(), Receive::imap, TlsMode::implicit);
  c.email = "me@contoso.com";
  c.incoming.endpoint.address = "127.0.0.1";  // what --resolve localhost:PORT:127.0.0.1 sets
  c.incoming.endpoint.family = mv::Family::any;
  const Timed t = run_timed(net, c);
  REQUIRE(s.finish());
  check(t, {"imap.auth_failed", Category::policy, 6, "imap.auth"});
  CHECK(t.error().cause.find("Exchange Online") != std::string::npos);
  CHECK(t.error().fix.find("OAuth2") != std::string::npos);
}

TEST_CASE("refusals/resolve: a pinned address is reached, the certificate checked for the name") {
  Pki k;
  MemoryNet net;
  HostileServer s(
      net, [&](Peer& p) { p.send("* OK hostile IMAP ready\r\n"); }, k.pki.cert_file,
      k.pki.key_file);
  mv::RunConfig c = incoming_config(k.pki.ca_file, s.port(), Receive::imap, TlsMode::implicit);
  c.incoming.endpoint.host = "mail.contoso.test";  // no DNS needed: pinned
  c.incoming.endpoint.address = "127.0.0.1";
  const Timed t = run_timed(net, c);
  REQUIRE(s.finish());
  INFO(describe(t));
  CHECK(t.error().code == "tls.bad_host");  // the test certificate names localhost only
  CHECK(t.error().cause.find("mail.contoso.test") != std::string::npos);
}
