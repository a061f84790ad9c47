// SPDX-License-Identifier: Apache-2.0
#include "protocols/oauth2/responses.hpp"

#include <algorithm>

#include "protocols/common/ascii.hpp"
#include "protocols/common/digits.hpp"
#include "protocols/json/value.hpp"

namespace mv {

namespace {

// The body is shown only with a refusal (HTTP 4xx/5xx): a 200 answer that is unusable (no
// access_token, a token type mail servers do not take) may still carry a token or a refresh token
// (found by fuzz_json).
Error response_error(std::string detail, const HttpResponse& r) {
  return make_error(ErrorKind::oauth2_response, Protocol::none,
                    std::move(detail) + " (HTTP " + std::to_string(r.status) + ")",
                    r.status >= 400 ? std::string_view(r.body).substr(0, 200) : std::string_view());
}

// The JSON object of the body, or nullopt with error set. A JSON error's server words are left
// out: a body that failed to parse may still hold a token.
std::optional<JsonValue> body_object(const HttpResponse& r, Error& error) {
  const std::string* type = r.header("Content-Type");
  Error json_error;
  std::optional<JsonValue> doc = parse_json(r.body, json_error);
  if (!doc || !doc->is(JsonValue::Kind::object)) {
    std::string what = "the endpoint's answer is not a JSON object";
    if (type) what += " (Content-Type " + sanitize_server_text(*type, 60) + ")";
    if (json_error) what += ": " + json_error.detail;
    error = make_error(ErrorKind::oauth2_response, Protocol::none,
                       what + " (HTTP " + std::to_string(r.status) + ")");
    if (r.status >= 400) error.server_says = sanitize_server_text(r.body.substr(0, 200));
    return std::nullopt;
  }
  return doc;
}

std::optional<OAuthError> refusal_of(const JsonValue& doc, int status) {
  const auto code = doc.string_at("error");
  if (!code) return std::nullopt;
  OAuthError e;
  e.code = sanitize_server_text(*code, 80);
  e.description = sanitize_server_text(doc.string_at("error_description").value_or(""), 400);
  e.http_status = status;
  if (const JsonValue* codes = doc.get("error_codes"); codes && codes->is(JsonValue::Kind::array)) {
    for (const JsonValue& c : codes->items()) {
      if (!c.is(JsonValue::Kind::number)) continue;
      // At most 12 digits: AADSTS numbers are 5 to 7; anything longer is not one.
      if (const auto n = parse_digits<std::uint64_t>(c.text(), 999'999'999'999)) {
        e.provider_codes.push_back(static_cast<std::int64_t>(*n));
      }
    }
  }
  return e;
}

std::string string_or_empty(const JsonValue& doc, std::string_view key) {
  return std::string(doc.string_at(key).value_or(""));
}

}  // namespace

bool OAuthError::has_provider_code(std::int64_t c) const {
  if (std::find(provider_codes.begin(), provider_codes.end(), c) != provider_codes.end())
    return true;
  return description.find("AADSTS" + std::to_string(c) + ":") != std::string::npos;
}

TokenAnswer read_token_answer(const HttpResponse& r) {
  TokenAnswer a;
  std::optional<JsonValue> doc = body_object(r, a.error);
  if (!doc) return a;
  if ((a.refusal = refusal_of(*doc, r.status))) return a;
  if (r.status != 200) {
    a.error = response_error("the token endpoint refused without an OAuth2 error code", r);
    return a;
  }
  TokenGrant g;
  g.access_token = string_or_empty(*doc, "access_token");
  if (g.access_token.empty()) {
    a.error = response_error("the token endpoint's answer has no access_token", r);
    return a;
  }
  g.token_type = string_or_empty(*doc, "token_type");
  if (!g.token_type.empty() && !iequals(g.token_type, "Bearer")) {
    a.error =
        response_error("the token endpoint issued a \"" + sanitize_server_text(g.token_type, 40) +
                           "\" token; mail servers take Bearer tokens",
                       r);
    return a;
  }
  g.refresh_token = string_or_empty(*doc, "refresh_token");
  g.scope = string_or_empty(*doc, "scope");
  g.id_token = string_or_empty(*doc, "id_token");
  g.expires_in = std::max<std::int64_t>(0, doc->integer_at("expires_in").value_or(0));
  a.grant = std::move(g);
  return a;
}

DeviceAnswer read_device_answer(const HttpResponse& r) {
  DeviceAnswer a;
  std::optional<JsonValue> doc = body_object(r, a.error);
  if (!doc) return a;
  if ((a.refusal = refusal_of(*doc, r.status))) return a;
  if (r.status != 200) {
    a.error = response_error("the device authorization endpoint refused without an error code", r);
    return a;
  }
  DeviceAuthorization d;
  d.device_code = string_or_empty(*doc, "device_code");
  d.user_code = string_or_empty(*doc, "user_code");
  d.verification_uri = string_or_empty(*doc, "verification_uri");
  if (d.verification_uri.empty()) d.verification_uri = string_or_empty(*doc, "verification_url");
  d.verification_uri_complete = string_or_empty(*doc, "verification_uri_complete");
  d.expires_in = doc->integer_at("expires_in").value_or(0);
  if (auto interval = doc->integer_at("interval"))
    d.interval = std::clamp<std::int64_t>(*interval, 1, 60);
  if (d.device_code.empty() || d.user_code.empty() || d.verification_uri.empty() ||
      d.expires_in <= 0) {
    a.error = response_error(
        "the device authorization answer lacks device_code, user_code, verification_uri or "
        "expires_in",
        r);
    return a;
  }
  // Shown to the user: printable text only.
  d.user_code = sanitize_server_text(d.user_code, 64);
  d.verification_uri = sanitize_server_text(d.verification_uri, 300);
  d.verification_uri_complete = sanitize_server_text(d.verification_uri_complete, 500);
  a.authorization = std::move(d);
  return a;
}

}  // namespace mv
