// SPDX-License-Identifier: Apache-2.0
// The command line of the OAuth2 sign-in: --oauth2-login / --oauth2-logout, the flow, the user's
// own app registration (client ID, and a secret only where the provider's desktop app type needs
// one), the Microsoft tenant, endpoints and scopes for any other provider, where grants are kept
// and how a browser is opened. Parsed here, applied by tools/oauth2_signin.
#pragma once

#define CXXOPTS_NO_REGEX
#include <cxxopts.hpp>
#include <string>

namespace mv::tool {

struct OAuth2Options {
  bool login = false;         // --oauth2-login: sign in now, store the grant, then run
  bool logout = false;        // --oauth2-logout: forget the stored grant and exit
  std::string flow = "auto";  // device | browser | auto
  std::string provider;       // microsoft | google | custom; empty: from the mail preset
  std::string client_id;
  std::string client_secret;
  std::string tenant;  // Microsoft: consumers, organizations, common, a tenant ID or domain
  std::string auth_url, device_url, token_url, scope;
  std::string store_dir;     // default $XDG_STATE_HOME/mailverify or ~/.local/state/mailverify
  std::string store_cmd;     // keep grants through this command (get/put/delete EMAIL)
  std::string cafile;        // trust for the OAuth2 endpoints; default: --cafile, else the system's
  std::string browser_cmd;   // default xdg-open when present
  bool oauthbearer = false;  // --auth OAUTHBEARER was asked for

  // Anything OAuth2-specific given (then a stored grant is expected or made).
  bool any() const { return login || logout || !client_id.empty(); }
};

void add_oauth2_options(cxxopts::Options& options);
// Fills o from the parsed options; a usage error's text, or empty.
std::string read_oauth2_options(const cxxopts::ParseResult& args, OAuth2Options& o);

}  // namespace mv::tool
