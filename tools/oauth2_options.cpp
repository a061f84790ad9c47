// SPDX-License-Identifier: Apache-2.0
#include "tools/oauth2_options.hpp"

namespace mv::tool {

void add_oauth2_options(cxxopts::Options& options) {
  // clang-format off
  options.add_options("OAuth2 sign-in")
    ("oauth2-login", "sign in with OAuth2 now (browser or device code), keep the grant for later runs, then run")
    ("oauth2-logout", "forget the stored OAuth2 grant of --email and exit")
    ("oauth2-flow", "sign-in flow: device (code on another device), browser (this machine) or auto", cxxopts::value<std::string>(), "FLOW")
    ("oauth2-client-id", "your app registration's client ID (README: OAuth2)", cxxopts::value<std::string>(), "ID")
    ("oauth2-client-secret", "the app's client secret, only where its type needs one (Google desktop apps)", cxxopts::value<std::string>(), "SECRET")
    ("oauth2-tenant", "Microsoft: consumers (Outlook.com, Hotmail), organizations (Microsoft 365) or a tenant ID/domain", cxxopts::value<std::string>(), "TENANT")
    ("oauth2-provider", "OAuth2 endpoints: microsoft, google or custom (default: from the address)", cxxopts::value<std::string>(), "PROVIDER")
    ("oauth2-auth-url", "authorization endpoint (browser flow) for another provider", cxxopts::value<std::string>(), "URL")
    ("oauth2-device-url", "device authorization endpoint for another provider", cxxopts::value<std::string>(), "URL")
    ("oauth2-token-url", "token endpoint for another provider", cxxopts::value<std::string>(), "URL")
    ("oauth2-scope", "scopes to ask for, space-separated (default: the provider's mail scopes)", cxxopts::value<std::string>(), "SCOPES")
    ("oauth2-store-dir", "keep grants in this directory (default: $XDG_STATE_HOME/mailverify)", cxxopts::value<std::string>(), "DIR")
    ("oauth2-store-cmd", "keep grants through this command instead of files: CMD get|put|delete EMAIL (README)", cxxopts::value<std::string>(), "CMD")
    ("oauth2-cafile", "trust these CAs for the OAuth2 endpoints (default: --cafile, else the system store)", cxxopts::value<std::string>(), "FILE")
    ("oauth2-browser", "command that opens the sign-in address (default: xdg-open when present)", cxxopts::value<std::string>(), "CMD");
  // clang-format on
}

std::string read_oauth2_options(const cxxopts::ParseResult& args, OAuth2Options& o) {
  auto take = [&](const char* name, std::string& into) {
    if (args.count(name)) into = args[name].as<std::string>();
  };
  o.login = args.count("oauth2-login") > 0;
  o.logout = args.count("oauth2-logout") > 0;
  if (o.login && o.logout) return "--oauth2-login and --oauth2-logout exclude each other";
  take("oauth2-flow", o.flow);
  if (o.flow != "device" && o.flow != "browser" && o.flow != "auto")
    return "--oauth2-flow must be device, browser or auto";
  take("oauth2-provider", o.provider);
  if (!o.provider.empty() && o.provider != "microsoft" && o.provider != "google" &&
      o.provider != "custom")
    return "--oauth2-provider must be microsoft, google or custom";
  take("oauth2-client-id", o.client_id);
  take("oauth2-client-secret", o.client_secret);
  take("oauth2-tenant", o.tenant);
  take("oauth2-auth-url", o.auth_url);
  take("oauth2-device-url", o.device_url);
  take("oauth2-token-url", o.token_url);
  take("oauth2-scope", o.scope);
  take("oauth2-store-dir", o.store_dir);
  take("oauth2-browser", o.browser_cmd);
  take("oauth2-store-cmd", o.store_cmd);
  take("oauth2-cafile", o.cafile);
  for (const std::string* s : {&o.client_id, &o.tenant, &o.scope})
    for (unsigned char c : *s)
      if (c < 0x20 || c == 0x7f) return "control characters in an --oauth2-* option";
  if (!o.tenant.empty() && o.tenant.find_first_of("/?#") != std::string::npos)
    return "--oauth2-tenant takes a name, a tenant ID or a domain, not a URL";
  return {};
}

}  // namespace mv::tool
