// SPDX-License-Identifier: Apache-2.0
// Diagnosis of OAuth2 problems, in one line of cause and one of fix each, kept apart from
// engine/diagnosis.cpp (which names mail-server problems) with two small calls:
// - diagnose_oauth_refusal: what the identity provider's own error means (RFC 6749 / 8628 codes
//   and Microsoft's AADSTS numbers: unknown client, public client flows off, consent missing,
//   account of the wrong kind for the tenant, MFA or Conditional Access, an expired or revoked
//   grant -> "sign in again with ...");
// - explain_refused_token: a token the mail server refused, when it is a JWT: its claims decoded
//   (never verified, never printed) to say "for another resource", "lacks SMTP.Send", "expired",
//   "issued for another mailbox". An opaque token (Microsoft's consumer tokens) adds nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "protocols/oauth2/responses.hpp"

namespace mv {

struct OAuthHint {
  std::string provider;  // "Microsoft", "Google", or the token endpoint's host
  std::string client_id;
  std::string login_command;  // what to run to sign in again ("verify-roundtrip --email ...
                              // --oauth2-login")
};

// An Error (category auth, usage or policy; code "oauth2.<error>") for the provider's refusal.
Error diagnose_oauth_refusal(const OAuthError& refusal, const OAuthHint& hint, std::string step);

// Adds the cause and fix to an auth error for a refused token, when the token says why.
// protocol: "smtp", "imap" or "pop3"; now: seconds since the epoch.
void explain_refused_token(Error& error, std::string_view token, std::string_view mailbox,
                           std::string_view protocol, std::int64_t now);

}  // namespace mv
