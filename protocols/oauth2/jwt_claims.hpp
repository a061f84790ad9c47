// SPDX-License-Identifier: Apache-2.0
// The claims of a JWT access token (RFC 7519), decoded but never verified, for diagnosis only:
// why did a mail server refuse this token? Audience, scopes (Microsoft's "scp", or "scope"),
// expiry and the user it was issued for. Opaque tokens (Microsoft's consumer tokens, Google's
// "ya29." tokens) are not JWTs: nullopt, and the caller says nothing rather than guess. Nothing
// here is ever printed whole; the caller names the facts ("issued for another mailbox").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"

namespace mv {

struct JwtClaims {
  std::vector<std::string> audiences;      // "aud", string or array
  std::vector<std::string> scopes;         // "scp" or "scope", space-separated
  std::optional<std::int64_t> expires_at;  // "exp", seconds since the epoch
  std::string user;  // the first of upn, preferred_username, email, unique_name

  bool has_scope_ending(std::string_view suffix) const;
};

// nullopt too when a decoded part is larger than limits.max_jwt_part.
std::optional<JwtClaims> decode_jwt_claims(std::string_view token,
                                           const Limits& limits = kDefaultLimits);

}  // namespace mv
