// SPDX-License-Identifier: Apache-2.0
// The OAuth2 pieces without I/O: form encoding, PKCE S256 (RFC 7636 appendix B), base64url, the
// token and device answers (Microsoft's and Google's shapes, errors with AADSTS numbers), and JWT
// claims decoded for diagnosis.
#include <doctest/doctest.h>

#include "protocols/common/base64url.hpp"
#include "protocols/oauth2/form.hpp"
#include "protocols/oauth2/jwt_claims.hpp"
#include "protocols/oauth2/pkce.hpp"
#include "protocols/oauth2/responses.hpp"

namespace {
mv::HttpResponse json_response(int status, std::string body) {
  mv::HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}
}  // namespace

TEST_CASE("oauth2: form encoding and decoding") {
  CHECK(mv::form_encode({{"grant_type", "refresh_token"},
                         {"scope", "https://outlook.office.com/SMTP.Send offline_access"},
                         {"x", "a+b&c=d~é"}}) ==
        "grant_type=refresh_token&scope=https%3A%2F%2Foutlook.office.com%2FSMTP.Send+offline_"
        "access&x=a%2Bb%26c%3Dd~%C3%A9");
  CHECK(mv::percent_encode("a b/c") == "a%20b%2Fc");
  auto f = mv::form_decode("code=M.C5_BAY%2F1&state=abc+d&empty=&flag");
  REQUIRE(f);
  REQUIRE(f->size() == 4);
  CHECK((*f)[0] == std::pair<std::string, std::string>{"code", "M.C5_BAY/1"});
  CHECK((*f)[1].second == "abc d");
  CHECK((*f)[2].second.empty());
  CHECK((*f)[3].first == "flag");
  CHECK_FALSE(mv::form_decode("a=%4"));
  CHECK_FALSE(mv::form_decode("a=%zz"));
}

TEST_CASE("oauth2: PKCE S256 matches RFC 7636 appendix B") {
  const std::array<std::uint8_t, 32> random{116, 24,  223, 180, 151, 153, 224, 37,  79,  250, 96,
                                            125, 216, 173, 187, 186, 22,  212, 37,  77,  105, 214,
                                            191, 240, 91,  88,  5,   88,  83,  132, 141, 121};
  const mv::Pkce p = mv::make_pkce(random);
  CHECK(p.verifier == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  CHECK(p.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("oauth2: base64url") {
  CHECK(mv::base64url_encode("\xfb\xff") == "-_8");
  CHECK(mv::base64url_decode("-_8") == std::string("\xfb\xff"));
  CHECK(mv::base64url_decode("-_8=") == std::string("\xfb\xff"));
  CHECK_FALSE(mv::base64url_decode("+/8"));
  CHECK_FALSE(mv::base64url_decode("a"));
}

TEST_CASE("oauth2: token answers, granted and refused") {
  auto a = mv::read_token_answer(json_response(
      200, R"({"token_type":"Bearer","scope":"https://outlook.office.com/IMAP.AccessAsUser.All",)"
           R"("expires_in":3599,"access_token":"AT","refresh_token":"RT"})"));
  REQUIRE(a.grant);
  CHECK(a.grant->access_token == "AT");
  CHECK(a.grant->refresh_token == "RT");
  CHECK(a.grant->expires_in == 3599);
  a = mv::read_token_answer(json_response(
      400, R"({"error":"invalid_grant","error_description":"AADSTS70000: The provided grant is )"
           R"(invalid.\r\nTrace ID: x","error_codes":[70000],"timestamp":"2026"})"));
  REQUIRE(a.refusal);
  CHECK(a.refusal->code == "invalid_grant");
  CHECK(a.refusal->has_provider_code(70000));
  CHECK_FALSE(a.refusal->has_provider_code(7000));
  CHECK(a.refusal->description.find('\r') == std::string::npos);  // sanitised
  a = mv::read_token_answer(json_response(200, R"({"token_type":"Bearer"})"));
  CHECK(a.error.code == "oauth2.response");
  a = mv::read_token_answer(json_response(200, R"({"access_token":"x","token_type":"MAC"})"));
  CHECK(a.error.code == "oauth2.response");
  a = mv::read_token_answer(json_response(502, "<html>Bad gateway</html>"));
  CHECK(a.error.code == "oauth2.response");
  CHECK(a.error.detail.find("HTTP 502") != std::string::npos);
  // A 200 whose body fails to parse must not echo the body (it may hold a token).
  a = mv::read_token_answer(json_response(200, R"({"access_token":"SECRET",})"));
  CHECK(a.error.code == "oauth2.response");
  CHECK(a.error.server_says.find("SECRET") == std::string::npos);
}

TEST_CASE("oauth2: device answers (RFC 8628 and Google's verification_url)") {
  auto d = mv::read_device_answer(
      json_response(200, R"({"device_code":"DC","user_code":"ABCD-EFGH","verification_url":)"
                         R"("https://www.google.com/device","expires_in":1800,"interval":5})"));
  REQUIRE(d.authorization);
  CHECK(d.authorization->verification_uri == "https://www.google.com/device");
  CHECK(d.authorization->interval == 5);
  d = mv::read_device_answer(json_response(200, R"({"device_code":"DC","expires_in":5})"));
  CHECK(d.error.code == "oauth2.response");
  d = mv::read_device_answer(json_response(
      400,
      R"({"error":"invalid_client","error_description":"AADSTS7000218: ...","error_codes":[7000218]})"));
  REQUIRE(d.refusal);
  CHECK(d.refusal->has_provider_code(7000218));
}

TEST_CASE("oauth2: JWT claims decoded for diagnosis, opaque tokens left alone") {
  // {"typ":"JWT","alg":"none"} . {"aud":"https://outlook.office.com","scp":"IMAP.AccessAsUser.All
  // offline_access","exp":1700000000,"upn":"a@contoso.com"}
  const std::string head = mv::base64url_encode(R"({"typ":"JWT","alg":"none"})");
  const std::string body = mv::base64url_encode(
      R"({"aud":"https://outlook.office.com","scp":"IMAP.AccessAsUser.All offline_access",)"
      R"("exp":1700000000,"upn":"a@contoso.com"})");
  auto c = mv::decode_jwt_claims(head + "." + body + ".sig");
  REQUIRE(c);
  CHECK(c->audiences == std::vector<std::string>{"https://outlook.office.com"});
  CHECK(c->scopes.size() == 2);
  CHECK(c->has_scope_ending("IMAP.AccessAsUser.All"));
  CHECK_FALSE(c->has_scope_ending("SMTP.Send"));
  CHECK(c->expires_at == 1700000000);
  CHECK(c->user == "a@contoso.com");
  CHECK_FALSE(mv::decode_jwt_claims("EwBwA8l6BAAU...opaque"));
  CHECK_FALSE(mv::decode_jwt_claims("ya29.a0AfH6SMB"));
  CHECK_FALSE(mv::decode_jwt_claims("a.b.c.d"));
}

TEST_CASE("oauth2: a JWT part larger than Limits::max_jwt_part is no JWT") {
  const std::string claims = R"({"aud":"https://outlook.office.com","upn":"a@contoso.com"})";
  const std::string token =
      mv::base64url_encode(R"({"alg":"none"})") + "." + mv::base64url_encode(claims) + ".sig";
  mv::Limits limits;
  limits.max_jwt_part = claims.size();
  const auto c = mv::decode_jwt_claims(token, limits);
  REQUIRE(c);
  CHECK(c->user == "a@contoso.com");
  limits.max_jwt_part = claims.size() - 1;
  CHECK_FALSE(mv::decode_jwt_claims(token, limits));
}
