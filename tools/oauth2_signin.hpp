// SPDX-License-Identifier: Apache-2.0
// The tool's OAuth2 sign-in: picks the provider's endpoints (Microsoft identity platform v2.0 with
// its tenant, Google, or endpoints given as options), signs in with --oauth2-login (device code
// or browser with PKCE), keeps the grant (tools/grant_store), and on later runs for the same
// --email takes the stored grant silently, refreshing the access token when less than five
// minutes are left. The access token then logs in over SMTP and IMAP/POP3 (XOAUTH2, or
// OAUTHBEARER with --auth OAUTHBEARER). Tokens never reach any output; the caller wipes them.
#pragma once

#include <string>

#include "engine/report.hpp"
#include "tools/options.hpp"

namespace mv::tool {

struct OAuth2SignIn {
  bool active = false;       // the run logs in with the token below
  std::string access_token;  // wiped by the destructor
  Report report;             // the sign-in's steps (and its error, when it failed)
  ~OAuth2SignIn();
};

// Does nothing (active false) when OAuth2 sign-in does not apply: a secret source was named, or
// there is no stored grant for the address and no --oauth2-login.
OAuth2SignIn oauth2_sign_in(const ToolOptions& options);

// --oauth2-logout: forgets the grant; the message to print, exit code through ok.
std::string oauth2_logout(const ToolOptions& options, bool& ok);

// Puts the token into both logins of the run (the account's address as user).
void apply_oauth2_token(ToolOptions& options, const std::string& token);

}  // namespace mv::tool
