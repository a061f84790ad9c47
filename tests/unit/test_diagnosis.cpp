// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "engine/diagnosis.hpp"
#include "engine/provider_knowledge.hpp"

namespace mv {

namespace {
Error diagnosed(ErrorKind kind, Protocol protocol, const std::string& words,
                const std::string& user = "me@example.com", bool token = false) {
  Error e = make_error(kind, protocol, "observed", words);
  DiagnosisContext c;
  c.protocol = "smtp";
  c.host = "smtp.example.com";
  c.port = 587;
  c.user = user;
  c.used_token = token;
  diagnose(e, c);
  return e;
}
}  // namespace

TEST_CASE("diagnosis/auth: Microsoft's basic-auth-disabled is policy, not a wrong password") {
  Error e = diagnosed(ErrorKind::auth_failed, Protocol::smtp,
                      "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.");
  CHECK(e.cause.find("policy") != std::string::npos);
  CHECK(e.fix.find("OAuth2") != std::string::npos);
  CHECK(e.cause.find("password is wrong") != std::string::npos);  // "not because the password..."
}

TEST_CASE("diagnosis/auth: SmtpClientAuthentication disabled for the tenant names the switch") {
  Error e = diagnosed(ErrorKind::auth_failed, Protocol::smtp,
                      "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                      "disabled for the Tenant.");
  CHECK(e.cause.find("SMTP AUTH") != std::string::npos);
  CHECK(e.fix.find("admin") != std::string::npos);
}

TEST_CASE("diagnosis/auth: a user name without domain asks for the full address") {
  Error e = diagnosed(ErrorKind::auth_failed, Protocol::smtp,
                      "535 5.7.8 Error: authentication failed", "alice");
  CHECK(e.fix.find("full email address") != std::string::npos);
}

TEST_CASE("diagnosis/auth: a refused token is not called a wrong password") {
  Error e = diagnosed(ErrorKind::auth_failed, Protocol::smtp,
                      "535 5.7.3 Authentication unsuccessful", "me@example.com", true);
  CHECK(e.cause.find("OAuth2 token") != std::string::npos);
}

TEST_CASE(
    "diagnosis/auth: a mechanism the server lacks: --auth advice, or for a token its options") {
  Error chosen = diagnosed(ErrorKind::mechanism_unavailable, Protocol::imap, "");
  CHECK(chosen.fix.find("drop --auth") != std::string::npos);
  // With a token XOAUTH2 is the default, so "drop --auth" would be no advice at all.
  Error token =
      diagnosed(ErrorKind::mechanism_unavailable, Protocol::smtp, "", "me@example.com", true);
  CHECK(token.cause.find("OAuth2 tokens") != std::string::npos);
  CHECK(token.fix.find("OAUTHBEARER") != std::string::npos);
  CHECK(token.fix.find("drop --auth") == std::string::npos);
}

TEST_CASE("diagnosis/auth: a password refused where the provider takes none is policy") {
  // outlook.office365.com answers a password with the same words as a wrong one.
  Error e = make_error(ErrorKind::auth_failed, Protocol::imap, "the server refused LOGIN",
                       "NO LOGIN failed.");
  DiagnosisContext c;
  c.protocol = "imap";
  c.user = "me@outlook.com";
  c.refuses_passwords = "Microsoft accepts only OAuth2 for these accounts since 2024-09-16";
  Error token = e;
  diagnose(e, c);
  CHECK(e.category == Category::policy);
  CHECK(e.cause.find("by policy") != std::string::npos);
  CHECK(e.cause.find("only OAuth2") != std::string::npos);
  CHECK(e.fix.find("--oauth2-token-cmd") != std::string::npos);
  // A refused token stays an authentication failure (expired, wrong scope).
  c.used_token = true;
  diagnose(token, c);
  CHECK(token.category == Category::auth);
  CHECK(token.cause.find("OAuth2 token") != std::string::npos);
}

TEST_CASE("diagnosis/auth: a plain failure says check the password") {
  Error e =
      diagnosed(ErrorKind::auth_failed, Protocol::smtp, "535 5.7.8 Error: authentication failed");
  CHECK(e.cause.find("user name or password") != std::string::npos);
}

TEST_CASE("diagnosis/tls: a plaintext answer to the handshake says use STARTTLS") {
  Error e = diagnosed(ErrorKind::plaintext_reply, Protocol::none, "220 mx ESMTP");
  CHECK(e.cause.find("STARTTLS") != std::string::npos);
  CHECK(e.fix.find("starttls") != std::string::npos);
}

TEST_CASE("diagnosis/network: refused on 587 suggests 465 or 25") {
  Error e = diagnosed(ErrorKind::refused, Protocol::none, "");
  CHECK(e.fix.find("465") != std::string::npos);
}

TEST_CASE("diagnosis/send: SendAs and relay refusals are told apart") {
  CHECK(diagnosed(ErrorKind::mail_rejected, Protocol::smtp,
                  "550 5.7.60 SMTP; Client does not have permissions to send as this sender")
            .cause.find("Send As") != std::string::npos);
  CHECK(diagnosed(ErrorKind::rcpt_rejected, Protocol::smtp, "554 5.7.1 Relay access denied")
            .cause.find("relay") != std::string::npos);
}

TEST_CASE("diagnosis: an existing cause is kept") {
  Error e = make_error(ErrorKind::auth_failed, Protocol::smtp, "x");
  e.cause = "known";
  diagnose(e, DiagnosisContext{});
  CHECK(e.cause == "known");
}

}  // namespace mv

namespace mv {
TEST_CASE("diagnosis/tls: silence on an implicit-TLS port says use implicit TLS") {
  Error e = make_error(ErrorKind::no_greeting, Protocol::none, "no greeting");
  DiagnosisContext c;
  c.protocol = "imap";
  c.host = "imap.example.com";
  c.port = 993;
  c.tls = TlsMode::starttls;
  diagnose(e, c);
  CHECK(e.cause.find("implicit TLS") != std::string::npos);
  CHECK(e.fix.find("--imap-tls implicit") != std::string::npos);
}
}  // namespace mv

namespace mv {

TEST_CASE("diagnosis/addresses: an IP literal the certificate does not name; no SMTPUTF8") {
  Error e = make_error(ErrorKind::bad_host, Protocol::none, "observed");
  DiagnosisContext c;
  c.protocol = "imap";
  c.host = "::1";
  c.port = 993;
  diagnose(e, c);
  CHECK(e.cause == "the server's certificate does not name the IP address ::1");
  CHECK(e.fix.find("subjectAltName") != std::string::npos);
  Error utf8 = make_error(ErrorKind::smtputf8_unsupported, Protocol::smtp, "observed");
  c.host = "smtp.example.com";
  diagnose(utf8, c);
  CHECK(utf8.cause.find("SMTPUTF8") != std::string::npos);
  CHECK(utf8.fix.find("ASCII alias") != std::string::npos);
}

namespace {

// Exchange Online's IMAP greeting: the bracket is the server's name in UTF-16LE, base64
// ("MN2PR11CA0017.namprd11.prod.outlook.com"), as outlook.office365.com sends it.
constexpr const char* kExchangeOnlineGreeting =
    "OK The Microsoft Exchange IMAP4 service is ready. "
    "[TQBOADIAUABSADEAMQBDAEEAMAAwADEANwAuAG4AYQBtAHAAcgBkADEAMQAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBr"
    "AC4AYwBvAG0A]";

Error login_failed(const std::string& host, const std::string& greeting,
                   const std::string& email = "me@contoso.com") {
  // Exchange Online answers a password this way whether it is right or not.
  Error e = make_error(ErrorKind::auth_failed, Protocol::imap, "the server refused LOGIN",
                       "NO LOGIN failed.");
  DiagnosisContext c;
  c.protocol = "imap";
  c.host = host;
  c.port = 993;
  c.user = c.email = email;
  c.greeting = greeting;
  diagnose(e, c);
  return e;
}

}  // namespace

TEST_CASE("diagnosis/fingerprint: Exchange Online's password refusal, whatever host was typed") {
  // The preset host, the legacy name the setup guides give, a custom domain (pinned with
  // --resolve: only the greeting tells), and with no greeting the host alone.
  for (const auto& typed :
       {std::pair<std::string, std::string>{"outlook.office365.com", kExchangeOnlineGreeting},
        {"imap-mail.outlook.com", kExchangeOnlineGreeting},
        {"mail.contoso.com", kExchangeOnlineGreeting},
        {"imap-mail.outlook.com", ""}}) {
    // Named, not structured bindings: INFO captures them in a lambda, which clang 14 refuses.
    const std::string& host = typed.first;
    const std::string& greeting = typed.second;
    INFO(host, " / ", greeting);
    const Error e = login_failed(host, greeting);
    CHECK(e.category == Category::policy);
    CHECK(e.cause.find("Exchange Online") != std::string::npos);
    CHECK(e.fix.find("OAuth2") != std::string::npos);
    CHECK(e.cause.find("check the password") == std::string::npos);
  }
  // An unknown server with the same words: the password it is.
  const Error dovecot =
      login_failed("mail.example.org", "OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.");
  CHECK(dovecot.category == Category::auth);
  CHECK(dovecot.cause.find("user name or password") != std::string::npos);
}

TEST_CASE("diagnosis/fingerprint: a consumer address on a legacy Microsoft host is OAuth2-only") {
  const Error e = login_failed("imap-mail.outlook.com", "", "me@hotmail.com");
  CHECK(e.category == Category::policy);
  CHECK(e.cause.find("only OAuth2") != std::string::npos);
  CHECK(e.fix.find("--oauth2-token-cmd") != std::string::npos);
}

TEST_CASE("diagnosis/fingerprint: providers recognised by host, greeting and certificate") {
  CHECK(recognise_provider({"imap.gmail.com", "", ""}) == Provider::gmail);
  CHECK(recognise_provider({"mail.example.com", "OK Gimap ready for requests from 192.0.2.1",
                            ""}) == Provider::gmail);
  CHECK(recognise_provider({"smtp.example.com", "smtp.gmail.com ESMTP a1-2 - gsmtp", ""}) ==
        Provider::gmail);
  CHECK(recognise_provider({"mail.contoso.com",
                            "BN9PR03CA0123.outlook.office365.com Microsoft ESMTP MAIL Service "
                            "ready",
                            ""}) == Provider::microsoft);
  CHECK(recognise_provider({"exchange.corp.example",
                            "OK The Microsoft Exchange IMAP4 service is "
                            "ready.",
                            ""}) == Provider::exchange);
  CHECK(recognise_provider({"mail.example.com", "", "CN=outlook.com"}) == Provider::microsoft);
  CHECK(recognise_provider({"imap.mail.yahoo.com", "", ""}) == Provider::yahoo);
  CHECK(recognise_provider({"imap.mail.me.com", "", ""}) == Provider::icloud);
  CHECK(recognise_provider({"notgmail.com.example", "", ""}) == Provider::unknown);
  CHECK(recognise_provider({"evilgmail.com", "", ""}) == Provider::unknown);
}

TEST_CASE("diagnosis/signals: a temporary refusal is never 'check the password'") {
  // Google: "454 4.7.0 Too many login attempts, please try again later."
  ServerSignal s;
  s.reply_code = 454;
  s.status = *parse_enhanced_status("4.7.0");
  Error e = make_error(ErrorKind::auth_failed, Protocol::smtp, "observed",
                       "454 4.7.0 Too many login attempts, please try again later.", s);
  CHECK(e.category == Category::temporary);
  DiagnosisContext c;
  c.protocol = "smtp";
  c.user = "alice";  // even with a user name without domain
  diagnose(e, c);
  CHECK(e.category == Category::temporary);
  CHECK(e.cause.find("too many login attempts") != std::string::npos);
  CHECK(e.fix.find("check the password") == std::string::npos);
  // Any 4xx without known words: the generic temporary diagnosis with the code's meaning.
  ServerSignal busy;
  busy.reply_code = 421;
  busy.status = *parse_enhanced_status("4.3.2");
  Error b = make_error(ErrorKind::mail_rejected, Protocol::smtp, "observed",
                       "421 4.3.2 System not accepting network messages", busy);
  diagnose(b, c);
  CHECK(b.category == Category::temporary);
  CHECK(b.cause.find("4.3.2") != std::string::npos);
  CHECK(b.cause.find("System not accepting network messages") != std::string::npos);
}

TEST_CASE("diagnosis/signals: RFC 3463 codes and their IANA meanings") {
  CHECK(parse_enhanced_status("5.7.139 Authentication unsuccessful")->text() == "5.7.139");
  CHECK_FALSE(parse_enhanced_status("Authentication unsuccessful"));
  CHECK_FALSE(parse_enhanced_status("3.1.1 nope"));
  CHECK_FALSE(parse_enhanced_status("5.7"));
  CHECK(enhanced_status_meaning({5, 7, 8}) == "Authentication credentials invalid");
  CHECK(enhanced_status_meaning({4, 2, 2}) == "Mailbox full");
  CHECK(enhanced_status_meaning({5, 1, 1}) == "Bad destination mailbox address");
  CHECK(enhanced_status_meaning({5, 7, 999}) == "security or policy");  // the subject's name
  CHECK(bracket_code("[SYS/TEMP] busy") == "SYS/TEMP");
  CHECK(bracket_code("[unavailable] x") == "UNAVAILABLE");
  CHECK(bracket_code("no code") == "");
  CHECK(bracket_code("[\x1b[2J] x") == "");  // a terminal escape is no code (fuzz_server_signal)
  CHECK(bracket_code("[SYS\xff] x") == "");
}

}  // namespace mv
