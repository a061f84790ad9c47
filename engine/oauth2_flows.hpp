// SPDX-License-Identifier: Apache-2.0
// Signing in with OAuth2 over the engine's own HTTPS (engine/https_request.hpp), in one Pump:
// - the device authorization grant (RFC 8628): asks for a user code, shows the verification URL
//   and the code (and the complete URL when the provider gives one), polls the token endpoint at
//   the given interval (authorization_pending: again; slow_down: interval + 5 s; expired_token,
//   access_denied: stop), with a countdown for a terminal;
// - the authorization code grant with PKCE S256 (RFC 7636) and a loopback redirect (RFC 8252):
//   listens on 127.0.0.1, shows (and asks the caller to open) the authorization URL, checks
//   "state", takes exactly one redirect, redeems the code with the verifier;
// - refreshing a stored grant (RFC 6749 section 6), keeping the old refresh token when the
//   provider does not rotate it.
// Every answer the provider refuses comes back as an OAuthError for oauth2_diagnosis; secrets
// stay in the returned grant, never in an Error or a report step.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/https_request.hpp"
#include "protocols/oauth2/form.hpp"
#include "protocols/oauth2/responses.hpp"

namespace mv {

struct OAuthClient {
  std::string client_id;
  std::string client_secret;  // empty for public clients
  std::string authorize_url;  // authorization endpoint (browser flow)
  std::string device_url;     // device authorization endpoint
  std::string token_url;
  std::string scope;       // space-separated
  std::string login_hint;  // the account's address, prefilled on the provider's page
  std::string redirect_host = "127.0.0.1";  // "localhost" where the provider registers that
  FormFields authorize_extra;  // more authorization parameters (Google: access_type=offline)
};

struct OAuthIo {
  // A message the user must see now (the URL and code), on its own lines.
  std::function<void(const std::string&)> show;
  // A progress line that replaces the previous one ("waiting for sign-in: 4:32 left"); may be
  // empty.
  std::function<void(const std::string&)> progress;
  // Open the URL in a browser when possible (xdg-open); may be empty.
  std::function<void(const std::string&)> open_browser;
  // 32 random bytes (PKCE verifier, state); the system's generator in the tool.
  std::function<std::array<std::uint8_t, 32>()> random;
};

struct FlowOutcome {
  std::optional<TokenGrant> grant;
  std::optional<OAuthError> refusal;  // the provider's own error (diagnose with oauth2_diagnosis)
  Error error;                        // anything else (network, tls, protocol, usage, timeout)
  std::string step;                   // where it ended: "oauth2.device", "oauth2.token", ...
};

Task<FlowOutcome> device_flow(Pump& pump, TlsContext& tls, const OAuthClient& client,
                              const OAuthIo& io, Timeouts timeouts, Report& report);
Task<FlowOutcome> browser_flow(Pump& pump, TlsContext& tls, const OAuthClient& client,
                               const OAuthIo& io, Timeouts timeouts, Report& report,
                               Millis give_up_after);
Task<FlowOutcome> refresh_flow(Pump& pump, TlsContext& tls, const OAuthClient& client,
                               const std::string& refresh_token, Timeouts timeouts, Report& report);

}  // namespace mv
