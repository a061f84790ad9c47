// SPDX-License-Identifier: Apache-2.0
// Form encoding, base64url, PKCE and JWT claims: decode(encode(x)) == x for form fields and
// base64url; the percent-encoded form holds only unreserved characters, '%', '+', '=' and '&';
// a PKCE challenge is 43 base64url characters; a redirect's query (form_decode) of any bytes never
// crashes; a token's (decode_jwt_claims) scopes are single non-empty words that match themselves.
#include <array>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "protocols/common/base64url.hpp"
#include "protocols/oauth2/form.hpp"
#include "protocols/oauth2/jwt_claims.hpp"
#include "protocols/oauth2/pkce.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::string name(in.bytes(in.byte() % 32));
  const std::string value(in.bytes(in.byte() % 64));
  const std::string_view rest = in.rest();

  const std::string encoded = mv::form_encode({{name, value}, {"k", std::string(rest)}});
  for (char c : encoded) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || c == '+' ||
                    c == '=' || c == '&';
    FUZZ_CHECK(ok, encoded);
  }
  const auto decoded = mv::form_decode(encoded);
  FUZZ_CHECK(decoded.has_value(), encoded);
  if (!name.empty()) {
    FUZZ_CHECK(decoded->size() == 2, encoded);
    FUZZ_CHECK((*decoded)[0].first == name && (*decoded)[0].second == value, encoded);
    FUZZ_CHECK((*decoded)[1].second == rest, encoded);
  }
  (void)mv::form_decode(rest);

  const std::string b = mv::base64url_encode(rest);
  FUZZ_CHECK(b.find_first_of("+/=") == std::string::npos, b);
  const auto back = mv::base64url_decode(b);
  FUZZ_CHECK(back.has_value() && *back == rest, "base64url round trip");
  (void)mv::base64url_decode(rest);

  std::array<std::uint8_t, 32> random{};
  for (std::size_t i = 0; i < random.size() && i < rest.size(); ++i)
    random[i] = static_cast<std::uint8_t>(rest[i]);
  const mv::Pkce pkce = mv::make_pkce(random);
  FUZZ_CHECK(pkce.verifier.size() == 43 && pkce.challenge.size() == 43, pkce.challenge);
  FUZZ_CHECK(mv::pkce_challenge(pkce.verifier) == pkce.challenge, "challenge not stable");

  if (const auto claims = mv::decode_jwt_claims(rest)) {
    for (const std::string& scope : claims->scopes) {
      FUZZ_CHECK(!scope.empty() && scope.find(' ') == std::string::npos, scope);
      FUZZ_CHECK(claims->has_scope_ending(scope), scope);
    }
  }
  return 0;
}
