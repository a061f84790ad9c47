// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "engine/diagnosis.hpp"

namespace mv {

namespace {
Error diagnosed(Category cat, const std::string& code, const std::string& words,
                const std::string& user = "me@example.com", bool token = false) {
  Error e = make_error(cat, code, "observed", words);
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
  Error e = diagnosed(Category::auth, "smtp.auth_failed",
                      "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.");
  CHECK(e.cause.find("policy") != std::string::npos);
  CHECK(e.fix.find("OAuth2") != std::string::npos);
  CHECK(e.cause.find("password is wrong") != std::string::npos);  // "not because the password..."
}

TEST_CASE("diagnosis/auth: SmtpClientAuthentication disabled for the tenant names the switch") {
  Error e = diagnosed(Category::auth, "smtp.auth_failed",
                      "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                      "disabled for the Tenant.");
  CHECK(e.cause.find("SMTP AUTH") != std::string::npos);
  CHECK(e.fix.find("admin") != std::string::npos);
}

TEST_CASE("diagnosis/auth: a user name without domain asks for the full address") {
  Error e = diagnosed(Category::auth, "smtp.auth_failed", "535 5.7.8 Error: authentication failed",
                      "alice");
  CHECK(e.fix.find("full email address") != std::string::npos);
}

TEST_CASE("diagnosis/auth: a refused token is not called a wrong password") {
  Error e = diagnosed(Category::auth, "smtp.auth_failed", "535 5.7.3 Authentication unsuccessful",
                      "me@example.com", true);
  CHECK(e.cause.find("OAuth2 token") != std::string::npos);
}

TEST_CASE(
    "diagnosis/auth: a mechanism the server lacks: --auth advice, or for a token its options") {
  Error chosen = diagnosed(Category::auth, "imap.auth_mechanism_unavailable", "");
  CHECK(chosen.fix.find("drop --auth") != std::string::npos);
  // With a token XOAUTH2 is the default, so "drop --auth" would be no advice at all.
  Error token =
      diagnosed(Category::auth, "smtp.auth_mechanism_unavailable", "", "me@example.com", true);
  CHECK(token.cause.find("OAuth2 tokens") != std::string::npos);
  CHECK(token.fix.find("OAUTHBEARER") != std::string::npos);
  CHECK(token.fix.find("drop --auth") == std::string::npos);
}

TEST_CASE("diagnosis/auth: a password refused where the provider takes none is policy") {
  // outlook.office365.com answers a password with the same words as a wrong one.
  Error e = make_error(Category::auth, "imap.auth_failed", "the server refused LOGIN",
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
  Error e = diagnosed(Category::auth, "smtp.auth_failed", "535 5.7.8 Error: authentication failed");
  CHECK(e.cause.find("user name or password") != std::string::npos);
}

TEST_CASE("diagnosis/tls: a plaintext answer to the handshake says use STARTTLS") {
  Error e = diagnosed(Category::tls, "tls.plaintext_reply", "220 mx ESMTP");
  CHECK(e.cause.find("STARTTLS") != std::string::npos);
  CHECK(e.fix.find("starttls") != std::string::npos);
}

TEST_CASE("diagnosis/network: refused on 587 suggests 465 or 25") {
  Error e = diagnosed(Category::network, "net.refused", "");
  CHECK(e.fix.find("465") != std::string::npos);
}

TEST_CASE("diagnosis/send: SendAs and relay refusals are told apart") {
  CHECK(diagnosed(Category::delivery, "smtp.mail_rejected",
                  "550 5.7.60 SMTP; Client does not have permissions to send as this sender")
            .cause.find("Send As") != std::string::npos);
  CHECK(diagnosed(Category::delivery, "smtp.rcpt_rejected", "554 5.7.1 Relay access denied")
            .cause.find("relay") != std::string::npos);
}

TEST_CASE("diagnosis: an existing cause is kept") {
  Error e = make_error(Category::auth, "smtp.auth_failed", "x");
  e.cause = "known";
  diagnose(e, DiagnosisContext{});
  CHECK(e.cause == "known");
}

}  // namespace mv

namespace mv {
TEST_CASE("diagnosis/tls: silence on an implicit-TLS port says use implicit TLS") {
  Error e = make_error(Category::network, "net.no_greeting", "no greeting");
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
