// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/common/base64.hpp"
#include "protocols/common/sasl.hpp"
#include "protocols/common/sasl_exchange.hpp"

using mv::Credentials;
using mv::Mechanism;
using mv::SaslClient;

namespace {

Credentials password(std::string user, std::string secret) {
  Credentials c;
  c.user = std::move(user);
  c.secret = std::move(secret);
  return c;
}

Credentials token(std::string user, std::string tok, std::string host = {}, unsigned port = 0) {
  Credentials c;
  c.user = std::move(user);
  c.secret = std::move(tok);
  c.is_token = true;
  c.host = std::move(host);
  c.port = port;
  return c;
}

}  // namespace

TEST_CASE("common/sasl: mechanism names round trip, case-insensitive") {
  for (Mechanism m : {Mechanism::plain, Mechanism::login, Mechanism::cram_md5, Mechanism::xoauth2,
                      Mechanism::oauthbearer}) {
    auto back = mv::mechanism_from_name(mv::mechanism_name(m));
    REQUIRE(back.has_value());
    CHECK(*back == m);
  }
  CHECK(mv::mechanism_name(Mechanism::cram_md5) == "CRAM-MD5");
  CHECK(mv::mechanism_from_name("cram-md5") == Mechanism::cram_md5);
  CHECK(mv::mechanism_from_name("xOAuth2") == Mechanism::xoauth2);
  CHECK_FALSE(mv::mechanism_from_name("SCRAM-SHA-256").has_value());
  CHECK_FALSE(mv::mechanism_from_name("PLAINX").has_value());
  CHECK_FALSE(mv::mechanism_from_name("").has_value());
}

TEST_CASE("common/sasl: PLAIN is authzid NUL user NUL secret (RFC 4616 example)") {
  SaslClient c(Mechanism::plain, password("tim", "tanstaaftanstaaf"));
  auto ir = c.initial_response();
  REQUIRE(ir.has_value());
  CHECK(*ir == std::string("\0tim\0tanstaaftanstaaf", 21));
  CHECK(mv::base64_encode(*ir) == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");

  // Without SASL-IR the server sends an empty challenge first; nothing else is expected.
  SaslClient no_ir(Mechanism::plain, password("tim", "tanstaaftanstaaf"));
  CHECK(no_ir.respond("") == ir);
  CHECK_FALSE(no_ir.respond("").has_value());
  SaslClient odd(Mechanism::plain, password("u", "p"));
  CHECK_FALSE(odd.respond("unexpected").has_value());
}

TEST_CASE("common/sasl: LOGIN answers user, then secret, then gives up") {
  SaslClient c(Mechanism::login, password("alice@example.org", "s3cret"));
  CHECK_FALSE(c.initial_response().has_value());
  CHECK(c.respond("Username:") == "alice@example.org");
  CHECK(c.respond("Password:") == "s3cret");
  CHECK_FALSE(c.respond("Password:").has_value());

  SaslClient any_prompt(Mechanism::login, password("bob", "pw"));
  CHECK(any_prompt.respond("") == "bob");  // prompt text is ignored
  CHECK(any_prompt.respond("whatever") == "pw");
}

TEST_CASE("common/sasl: CRAM-MD5 matches the RFC 2195 example") {
  SaslClient c(Mechanism::cram_md5, password("tim", "tanstaaftanstaaf"));
  CHECK_FALSE(c.initial_response().has_value());
  auto challenge = mv::base64_decode("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
  REQUIRE(challenge.has_value());
  CHECK(*challenge == "<1896.697170952@postoffice.reston.mci.net>");
  auto r = c.respond(*challenge);
  REQUIRE(r.has_value());
  CHECK(*r == "tim b913a602c7eda7a495b4e6e7334d3890");
  CHECK(mv::base64_encode(*r) == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  CHECK_FALSE(c.respond(*challenge).has_value());  // one round only

  // RFC 2104 test vector 2, through the same code path (key "Jefe").
  SaslClient jefe(Mechanism::cram_md5, password("u", "Jefe"));
  CHECK(jefe.respond("what do ya want for nothing?") == "u 750c783e6ab0b503eaa86e310a5db738");

  SaslClient empty(Mechanism::cram_md5, password("u", "p"));
  CHECK_FALSE(empty.respond("").has_value());
}

TEST_CASE("common/sasl: XOAUTH2 initial response and JSON error challenge") {
  SaslClient c(Mechanism::xoauth2,
               token("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"));
  auto ir = c.initial_response();
  REQUIRE(ir.has_value());
  CHECK(*ir ==
        "user=someuser@example.com\x01"
        "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01");
  CHECK(mv::base64_encode(*ir) ==
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhk"
        "SFJoZG1semRHRXVZMjl0Q2cBAQ==");
  const std::string json =
      R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})";
  CHECK(c.server_error().empty());
  auto r = c.respond(json);
  REQUIRE(r.has_value());
  CHECK(r->empty());
  CHECK(c.server_error() == json);
  CHECK_FALSE(c.respond(json).has_value());

  SaslClient no_ir(Mechanism::xoauth2, token("u@x", "t"));
  CHECK(no_ir.respond("") == no_ir.initial_response());
}

TEST_CASE("common/sasl: OAUTHBEARER matches RFC 7628 4.1, omits empty fields, escapes authzid") {
  SaslClient c(Mechanism::oauthbearer,
               token("user@example.com",
                     "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143));
  auto ir = c.initial_response();
  REQUIRE(ir.has_value());
  CHECK(mv::base64_encode(*ir) ==
        "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVy"
        "IHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB");

  SaslClient bare(Mechanism::oauthbearer, token("a,b=c", "tok"));
  CHECK(bare.initial_response() ==
        "n,a=a=2Cb=3Dc,\x01"
        "auth=Bearer tok\x01\x01");

  SaslClient anon(Mechanism::oauthbearer, token("", "tok", "h.example", 0));
  CHECK(anon.initial_response() ==
        "n,,\x01host=h.example\x01"
        "auth=Bearer tok\x01\x01");

  const std::string json = R"({"status":"invalid_token"})";
  auto r = c.respond(json);
  REQUIRE(r.has_value());
  CHECK(*r == "\x01");
  CHECK(c.server_error() == json);
  CHECK_FALSE(c.respond(json).has_value());
}

TEST_CASE("common/sasl: rounds are bounded") {
  SaslClient c(Mechanism::login, password("u", "p"), 1);
  CHECK(c.respond("Username:") == "u");
  CHECK_FALSE(c.respond("Password:").has_value());  // cut off by the bound

  SaslClient d(Mechanism::login, password("u", "p"));
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    if (d.respond("again").has_value()) ++answered;
  }
  CHECK(answered == 2);
}

TEST_CASE("common/sasl: choose_mechanism follows the documented preference") {
  using V = std::vector<Mechanism>;
  const V all{Mechanism::login, Mechanism::plain, Mechanism::cram_md5, Mechanism::xoauth2,
              Mechanism::oauthbearer};
  CHECK(mv::choose_mechanism(all, true, true) == Mechanism::oauthbearer);
  CHECK(mv::choose_mechanism(V{Mechanism::plain, Mechanism::xoauth2}, true, true) ==
        Mechanism::xoauth2);
  CHECK_FALSE(mv::choose_mechanism(V{Mechanism::plain, Mechanism::login}, true, true).has_value());

  CHECK(mv::choose_mechanism(all, false, true) == Mechanism::plain);
  CHECK(mv::choose_mechanism(V{Mechanism::cram_md5, Mechanism::login}, false, true) ==
        Mechanism::login);
  CHECK(mv::choose_mechanism(V{Mechanism::cram_md5, Mechanism::xoauth2}, false, true) ==
        Mechanism::cram_md5);
  CHECK_FALSE(mv::choose_mechanism(V{Mechanism::xoauth2}, false, true).has_value());

  CHECK(mv::choose_mechanism(all, false, false) == Mechanism::cram_md5);
  CHECK(mv::choose_mechanism(V{Mechanism::login, Mechanism::plain}, false, false) ==
        Mechanism::plain);
  CHECK_FALSE(mv::choose_mechanism(V{}, false, false).has_value());
}

TEST_CASE("common/sasl exchange: the user's mechanism, else the preferred one offered") {
  const std::vector<Mechanism> offered{Mechanism::login, Mechanism::plain};
  auto p = mv::pick_mechanism(Mechanism::login, offered, true, false, true);
  CHECK(p.mechanism == Mechanism::login);
  p = mv::pick_mechanism(Mechanism::cram_md5, offered, true, false, true);
  CHECK(p.wanted_not_offered);
  CHECK_FALSE(p.mechanism.has_value());
  // A server that lists nothing (POP3 without SASL in CAPA): the user's choice is tried.
  p = mv::pick_mechanism(Mechanism::cram_md5, {}, false, false, true);
  CHECK(p.mechanism == Mechanism::cram_md5);
  p = mv::pick_mechanism(std::nullopt, offered, true, false, true);
  CHECK(p.mechanism == Mechanism::plain);
  CHECK_FALSE(mv::pick_mechanism(std::nullopt, offered, true, true, true).mechanism.has_value());
}

TEST_CASE("common/sasl exchange: the initial response on the line, or for the first challenge") {
  mv::SaslExchange on_line(Mechanism::plain, password("u", "p"), mv::kDefaultLimits);
  CHECK(on_line.initial_argument(100) == mv::base64_encode(std::string("\0u\0p", 4)));

  mv::SaslExchange deferred(Mechanism::plain, password("u", "p"), mv::kDefaultLimits);
  CHECK_FALSE(deferred.initial_argument(0).has_value());
  CHECK(deferred.answer("") == mv::base64_encode(std::string("\0u\0p", 4)));
  CHECK(deferred.answer("") == "*");  // PLAIN has nothing more to say
  CHECK(deferred.cancelled());

  mv::SaslExchange none(Mechanism::login, password("u", "p"), mv::kDefaultLimits);
  CHECK_FALSE(none.initial_argument(1000).has_value());
  CHECK(none.answer(mv::base64_encode("Username:")) == mv::base64_encode("u"));
  CHECK(none.answer(mv::base64_encode("Password:")) == mv::base64_encode("p"));
  CHECK_FALSE(none.cancelled());
}

TEST_CASE("common/sasl exchange: one cancel policy: '*', then the server must end it") {
  mv::SaslExchange bad(Mechanism::login, password("u", "p"), mv::kDefaultLimits);
  CHECK(bad.answer("not base64!") == "*");
  CHECK(bad.cancelled());
  // Challenged again after the cancel: no answer; the client fails.
  CHECK_FALSE(bad.answer("VXNlcm5hbWU6").has_value());
  REQUIRE(bad.cancelled_detail(false).has_value());
  CHECK(bad.cancelled_detail(false)->find("not valid base64") != std::string::npos);
  CHECK(bad.cancelled_detail(true)->find("accepted") != std::string::npos);

  mv::Limits two = mv::kDefaultLimits;
  two.max_sasl_rounds = 2;
  mv::SaslExchange rounds(Mechanism::login, password("u", "p"), two);
  CHECK(rounds.answer("") != "*");
  CHECK(rounds.answer("") != "*");
  CHECK(rounds.answer("") == "*");
  CHECK(rounds.cancelled_detail(false)->find("more than 2") != std::string::npos);

  mv::SaslExchange fine(Mechanism::plain, password("u", "p"), mv::kDefaultLimits);
  CHECK_FALSE(fine.cancelled_detail(true).has_value());
  CHECK_FALSE(fine.cancelled_detail(false).has_value());
}
