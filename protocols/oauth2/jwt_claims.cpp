// SPDX-License-Identifier: Apache-2.0
#include "protocols/oauth2/jwt_claims.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/common/base64url.hpp"
#include "protocols/json/value.hpp"

namespace mv {

namespace {
void split_words(std::string_view s, std::vector<std::string>& out) {
  while (!s.empty()) {
    const std::size_t sp = s.find(' ');
    if (sp != 0) out.emplace_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
}
}  // namespace

bool JwtClaims::has_scope_ending(std::string_view suffix) const {
  for (const std::string& s : scopes)
    if (s.size() >= suffix.size() &&
        iequals(std::string_view(s).substr(s.size() - suffix.size()), suffix))
      return true;
  return false;
}

std::optional<JwtClaims> decode_jwt_claims(std::string_view token, const Limits& limits) {
  // header.payload.signature, each base64url; the header must be a JSON object too.
  const std::size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  const std::size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return std::nullopt;
  const auto header = base64url_decode(token.substr(0, d1));
  const auto payload = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  if (!header || !payload || header->size() > limits.max_jwt_part ||
      payload->size() > limits.max_jwt_part)
    return std::nullopt;
  Error error;
  const auto head = parse_json(*header, error, limits);
  const auto body = parse_json(*payload, error, limits);
  if (!head || !body || !head->is(JsonValue::Kind::object) || !body->is(JsonValue::Kind::object))
    return std::nullopt;
  JwtClaims c;
  if (const JsonValue* aud = body->get("aud")) {
    if (aud->is(JsonValue::Kind::string)) c.audiences.push_back(aud->text());
    if (aud->is(JsonValue::Kind::array))
      for (const JsonValue& a : aud->items())
        if (a.is(JsonValue::Kind::string)) c.audiences.push_back(a.text());
  }
  for (const char* key : {"scp", "scope"})
    if (auto s = body->string_at(key)) split_words(*s, c.scopes);
  c.expires_at = body->integer_at("exp");
  for (const char* key : {"upn", "preferred_username", "email", "unique_name"}) {
    if (auto u = body->string_at(key); u && !u->empty()) {
      c.user = std::string(*u);
      break;
    }
  }
  return c;
}

}  // namespace mv
