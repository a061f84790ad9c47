// SPDX-License-Identifier: Apache-2.0
// The answers of OAuth2 endpoints, read from an HTTP response (sans-I/O): the token endpoint
// (RFC 6749 section 5: a grant, or an error with its code and description; Microsoft adds
// "error_codes" such as [700016], named AADSTS700016 in the description) and the device
// authorization endpoint (RFC 8628 section 3.2; Google spells verification_uri
// "verification_url"). A response that is not JSON, or lacks a required member, is a protocol
// error ("oauth2.response") naming what is missing. Secrets (access, refresh, device codes) stay
// in the returned structs only; the caller wipes them (protocols/common/wipe.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "protocols/http/response.hpp"

namespace mv {

// An error the endpoint answered with (RFC 6749 section 5.2, RFC 8628 section 3.5).
struct OAuthError {
  std::string code;                          // "invalid_grant", "authorization_pending", ...
  std::string description;                   // error_description, sanitised
  std::vector<std::int64_t> provider_codes;  // Microsoft's error_codes (AADSTS numbers)
  int http_status = 0;

  bool has_provider_code(std::int64_t c) const;
};

struct TokenGrant {
  std::string access_token;
  std::string refresh_token;  // empty: none issued (then the old one stays valid)
  std::string token_type;
  std::string scope;            // as granted (may be absent: the requested scope)
  std::int64_t expires_in = 0;  // seconds; 0 when not given
  std::string id_token;
};

struct TokenAnswer {
  std::optional<TokenGrant> grant;
  std::optional<OAuthError> refusal;
  Error error;  // the answer could not be read at all
};

TokenAnswer read_token_answer(const HttpResponse& response);

struct DeviceAuthorization {
  std::string device_code;
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete;  // empty when not given
  std::int64_t expires_in = 0;
  std::int64_t interval = 5;  // seconds; RFC 8628 default
};

struct DeviceAnswer {
  std::optional<DeviceAuthorization> authorization;
  std::optional<OAuthError> refusal;
  Error error;
};

DeviceAnswer read_device_answer(const HttpResponse& response);

}  // namespace mv
