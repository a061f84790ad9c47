// SPDX-License-Identifier: Apache-2.0
#include "tools/oauth2_signin.hpp"

#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "engine/oauth2_diagnosis.hpp"
#include "engine/oauth2_flows.hpp"
#include "protocols/common/ascii.hpp"
#include "protocols/common/wipe.hpp"
#include "protocols/http/url.hpp"
#include "tools/grant_store.hpp"
#include "tools/netrc.hpp"

namespace mv::tool {

namespace {

constexpr std::int64_t kRefreshMargin = 300;  // refresh when fewer seconds are left
constexpr const char* kOutlook = "https://outlook.office.com/";

std::int64_t now_epoch() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

Error usage(std::string detail, std::string fix = {}) {
  Error e = make_error(ErrorKind::oauth2, Protocol::none, std::move(detail));
  e.step = "oauth2.login";
  e.fix = std::move(fix);
  return e;
}

std::string provider_of(const ToolOptions& o) {
  if (!o.oauth2.provider.empty()) return o.oauth2.provider;
  if (!o.oauth2.token_url.empty()) return "custom";
  if (o.preset && (o.preset->name == "microsoft" || o.preset->name == "office365"))
    return "microsoft";
  if (o.preset && o.preset->name == "gmail") return "google";
  return "custom";
}

// The endpoints, scopes and client of this sign-in; an error's text when something is missing.
std::string client_for(const ToolOptions& o, OAuthClient& c, std::string& provider,
                       std::string& tenant) {
  provider = provider_of(o);
  if (provider == "microsoft") {
    tenant = !o.oauth2.tenant.empty()                    ? o.oauth2.tenant
             : o.preset && o.preset->name == "office365" ? "organizations"
                                                         : "consumers";
    const std::string base = "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/";
    c.authorize_url = base + "authorize";
    c.device_url = base + "devicecode";
    c.token_url = base + "token";
    // One consent covers every protocol the tool may use, so a later --receive pop3 needs none.
    c.scope = std::string("offline_access ") + kOutlook + "IMAP.AccessAsUser.All " + kOutlook +
              "POP.AccessAsUser.All " + kOutlook + "SMTP.Send";
    c.redirect_host = "localhost";  // what Azure registers for public clients ("http://localhost")
  } else if (provider == "google") {
    c.authorize_url = "https://accounts.google.com/o/oauth2/v2/auth";
    c.token_url = "https://oauth2.googleapis.com/token";
    c.scope = "https://mail.google.com/";  // not allowed in Google's device flow
    c.authorize_extra = {{"access_type", "offline"}, {"prompt", "consent"}};
  }
  if (!o.oauth2.auth_url.empty()) c.authorize_url = o.oauth2.auth_url;
  if (!o.oauth2.device_url.empty()) c.device_url = o.oauth2.device_url;
  if (!o.oauth2.token_url.empty()) c.token_url = o.oauth2.token_url;
  if (!o.oauth2.scope.empty()) c.scope = o.oauth2.scope;
  c.client_id = o.oauth2.client_id;
  c.client_secret = o.oauth2.client_secret;
  c.login_hint = o.config.email;
  if (c.token_url.empty())
    return "no OAuth2 endpoints known for " + o.config.email +
           ": give --oauth2-provider microsoft|google, or --oauth2-token-url with "
           "--oauth2-device-url and/or --oauth2-auth-url, and --oauth2-scope";
  for (const std::string* u : {&c.authorize_url, &c.device_url, &c.token_url}) {
    if (u->empty()) continue;
    auto url = parse_url(*u);
    if (!url || !url->https) return "the OAuth2 endpoint " + *u + " is not an https:// URL";
  }
  return {};
}

std::string login_command(const ToolOptions& o) {
  std::string s = "verify-roundtrip --email " + o.config.email + " --oauth2-login";
  if (!o.oauth2.client_id.empty()) s += " --oauth2-client-id " + o.oauth2.client_id;
  return s;
}

std::array<std::uint8_t, 32> system_random() {
  std::array<std::uint8_t, 32> r{};
  std::size_t got = 0;
  while (got < r.size()) {
    const ssize_t n = ::getrandom(r.data() + got, r.size() - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  return r;
}

bool on_path(const char* program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string p = path;
  for (std::size_t start = 0; start <= p.size();) {
    std::size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    const std::string candidate = p.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

bool has_display() {
  return std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY");
}

// Runs `command URL` detached (double fork: no zombie, and the loop keeps serving the redirect
// the browser will make to us while it runs).
void open_detached(const std::string& command, const std::string& url) {
  const pid_t child = ::fork();
  if (child == 0) {
    if (::fork() == 0) {
      ::execl("/bin/sh", "sh", "-c", (command + " \"$1\"").c_str(), "sh", url.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::_exit(0);
  }
  if (child > 0) ::waitpid(child, nullptr, 0);
}

OAuthIo terminal_io(const ToolOptions& o) {
  OAuthIo io;
  io.show = [](const std::string& text) { std::cerr << "\n" << text << std::endl; };
  if (::isatty(STDERR_FILENO) && o.format == OutputFormat::human)
    io.progress = [](const std::string& text) {
      std::cerr << "\r\033[K  … " << text << std::flush;
    };
  std::string browser = o.oauth2.browser_cmd;
  if (browser.empty() && has_display() && on_path("xdg-open")) browser = "xdg-open";
  if (!browser.empty())
    io.open_browser = [browser](const std::string& url) { open_detached(browser, url); };
  io.random = system_random;
  return io;
}

enum class Flow { device, browser, refresh };

Task<void> run_flow(Pump& pump, TlsContext& tls, const OAuthClient& client, const OAuthIo& io,
                    Timeouts timeouts, Report& report, Flow flow, const std::string& refresh,
                    FlowOutcome& out) {
  switch (flow) {
    case Flow::device:
      out = co_await device_flow(pump, tls, client, io, timeouts, report);
      break;
    case Flow::browser:
      out = co_await browser_flow(pump, tls, client, io, timeouts, report, 5 * 60 * 1000);
      break;
    case Flow::refresh:
      out = co_await refresh_flow(pump, tls, client, refresh, timeouts, report);
      break;
  }
}

FlowOutcome run_blocking(const ToolOptions& o, const OAuthClient& client, Flow flow,
                         const std::string& refresh, Report& report, Error& setup) {
  FlowOutcome out;
  // A --cafile for a private mail server need not vouch for the identity provider: it may have
  // its own (--oauth2-cafile /etc/ssl/certs/ca-certificates.crt for a public one).
  TlsContextOptions trust = o.config.tls;
  if (!o.oauth2.cafile.empty()) trust.ca_file = o.oauth2.cafile;
  std::unique_ptr<TlsContext> tls = TlsContext::create(trust, setup);
  if (!tls) return out;
  const OAuthIo io = terminal_io(o);
  Pump pump;
  pump.spawn(run_flow(pump, *tls, client, io, o.config.timeouts, report, flow, refresh, out));
  pump.run();
  if (io.progress) std::cerr << "\r\033[K" << std::flush;
  return out;
}

// The outcome as the sign-in's error, or empty when it brought a grant.
Error outcome_error(const FlowOutcome& out, const std::string& provider, const ToolOptions& o,
                    const std::string& client_id) {
  if (out.refusal) {
    OAuthHint hint{provider == "microsoft" ? "Microsoft"
                   : provider == "google"  ? "Google"
                                           : "the OAuth2 server",
                   client_id, login_command(o)};
    return diagnose_oauth_refusal(*out.refusal, hint, out.step);
  }
  if (out.error) {
    Error e = out.error;
    if (e.fix.empty() && e.category == Category::tls) {
      e.cause = "the identity provider's certificate could not be verified";
      e.fix =
          "check the endpoint URL; a provider with a private CA needs --oauth2-cafile FILE "
          "(--cafile is used otherwise)";
    } else if (e.fix.empty() && e.category == Category::network) {
      e.cause = "the identity provider could not be reached";
      e.fix = "check the network, a proxy or firewall, and the endpoint URL";
    }
    return e;
  }
  if (!out.grant)
    return make_error(ErrorKind::oauth2_response, Protocol::none,
                      "the sign-in ended without a token");
  return {};
}

bool grant_file_exists(const ToolOptions& o) {
  const std::string dir =
      o.oauth2.store_dir.empty() ? GrantStore::default_dir() : o.oauth2.store_dir;
  if (!o.oauth2.store_cmd.empty()) {  // ask the command (under the lock, like every access)
    GrantStore store;
    if (!store.open(dir, o.config.email).empty()) return true;  // the error shows on use
    store.use_command(o.oauth2.store_cmd);
    std::string error;
    return store.load(error).has_value() || !error.empty();
  }
  struct stat st {};
  return ::stat((dir + "/" + GrantStore::file_name(o.config.email)).c_str(), &st) == 0;
}

// The preset's provider takes only OAuth2 on its own servers (a --host of the user's is not bound
// by that), and no ~/.netrc entry names a secret for them.
bool only_oauth2_here(const ToolOptions& o) {
  if (!o.preset || !o.preset->oauth2_only) return false;
  const ProviderPreset& p = *o.preset;
  for (const ServerLogin* login : {&o.config.smtp, &o.config.incoming}) {
    const std::string& host = login->endpoint.host;
    if (host.empty()) continue;
    const bool providers = iequals(host, p.smtp.host) || iequals(host, p.imap.host) ||
                           iequals(host, p.pop3.host) || iequals(host, p.smtp_alternative.host);
    if (!providers) return false;
    std::string warning;
    if (netrc_lookup_home(host, o.login.user, warning)) return false;
  }
  return true;
}

}  // namespace

OAuth2SignIn::~OAuth2SignIn() {
  wipe(access_token);
}

void apply_oauth2_token(ToolOptions& o, const std::string& token) {
  const Mechanism mech =
      o.mechanism == Mechanism::oauthbearer ? Mechanism::oauthbearer : Mechanism::xoauth2;
  for (ServerLogin* login : {&o.config.smtp, &o.config.incoming}) {
    Credentials c;
    c.user = o.login.user.empty() ? o.config.email : o.login.user;
    c.secret = token;
    c.is_token = true;
    c.host = login->endpoint.host;
    c.port = login->endpoint.port;
    login->credentials = std::move(c);
    login->mechanism = mech;
  }
  if (!o.config.send || !o.smtp_login) o.config.smtp.credentials.reset();
  if (!o.config.read_back) o.config.incoming.credentials.reset();
}

std::string oauth2_logout(const ToolOptions& o, bool& ok) {
  GrantStore store;
  const std::string dir =
      o.oauth2.store_dir.empty() ? GrantStore::default_dir() : o.oauth2.store_dir;
  std::string err = store.open(dir, o.config.email);
  ok = err.empty();
  if (!ok) return err;
  if (!o.oauth2.store_cmd.empty()) store.use_command(o.oauth2.store_cmd);
  const bool removed = store.remove(err);
  ok = err.empty();
  if (!ok) return err;
  const std::string where = o.oauth2.store_cmd.empty() ? store.path() : "--oauth2-store-cmd";
  return removed ? "signed out: the stored OAuth2 grant of " + o.config.email + " is forgotten (" +
                       where + ")"
                 : "no stored OAuth2 grant for " + o.config.email;
}

OAuth2SignIn oauth2_sign_in(const ToolOptions& o) {
  OAuth2SignIn s;
  const bool explicit_secret = o.login.sources.named() || o.smtp_identity.has_value();
  if (!o.oauth2.login && (explicit_secret || !grant_file_exists(o))) {
    // OAuth2 options, or a provider that takes nothing else (Outlook.com): asking for a
    // password would only lead to a refusal.
    if (!explicit_secret && (o.oauth2.any() || only_oauth2_here(o))) {
      s.active = true;
      s.report.error =
          usage("no stored OAuth2 grant for " + o.config.email +
                    (o.preset && o.preset->oauth2_only
                         ? " (" + std::string(o.preset->display) + " accepts only OAuth2)"
                         : std::string()),
                "sign in once with: " + login_command(o) +
                    (o.oauth2.client_id.empty() ? " --oauth2-client-id <your app's ID> "
                                                  "(README: Signing in with OAuth2)"
                                                : ""));
    }
    return s;
  }
  s.active = true;
  Report& report = s.report;
  GrantStore store;
  const std::string dir =
      o.oauth2.store_dir.empty() ? GrantStore::default_dir() : o.oauth2.store_dir;
  if (std::string err = store.open(dir, o.config.email); !err.empty()) {
    report.error = usage(err);
    return s;
  }
  if (!o.oauth2.store_cmd.empty()) store.use_command(o.oauth2.store_cmd);
  std::string provider, tenant;
  OAuthClient client;
  std::string load_error;
  std::optional<StoredGrant> stored;
  if (!o.oauth2.login) stored = store.load(load_error);
  if (!load_error.empty()) {
    report.error = usage(load_error, "sign in again with: " + login_command(o));
    return s;
  }

  if (stored) {
    // A later run: the grant's own client and endpoint, unless the options say otherwise.
    if (!stored->access_token.empty() && stored->expires_at > now_epoch() + kRefreshMargin) {
      s.access_token = stored->access_token;
      report.add_step("oauth2.stored", 0,
                      "stored grant, access token valid for " +
                          std::to_string((stored->expires_at - now_epoch()) / 60) +
                          " more minutes");
      return s;
    }
    client.client_id = o.oauth2.client_id.empty() ? stored->client_id : o.oauth2.client_id;
    client.client_secret =
        o.oauth2.client_secret.empty() ? stored->client_secret : o.oauth2.client_secret;
    client.token_url = o.oauth2.token_url.empty() ? stored->token_url : o.oauth2.token_url;
    client.scope = o.oauth2.scope.empty() ? stored->scope : o.oauth2.scope;
    provider = stored->provider;
    Error setup;
    FlowOutcome out = run_blocking(o, client, Flow::refresh, stored->refresh_token, report, setup);
    if (setup) {
      report.error = setup;
      return s;
    }
    report.error = outcome_error(out, provider, o, client.client_id);
    if (report.error) return s;
    StoredGrant next = *stored;
    next.access_token = out.grant->access_token;
    if (!out.grant->refresh_token.empty()) next.refresh_token = out.grant->refresh_token;
    next.expires_at = out.grant->expires_in ? now_epoch() + out.grant->expires_in : 0;
    if (std::string err = store.save(next); !err.empty()) {
      // The provider may have rotated the refresh token: without saving it the grant is lost.
      report.error = usage(
          err, "fix the directory's permissions, then sign in again with: " + login_command(o));
      return s;
    }
    s.access_token = next.access_token;
    wipe(out.grant->access_token);
    wipe(out.grant->refresh_token);
    return s;
  }

  // --oauth2-login: a new sign-in.
  if (std::string err = client_for(o, client, provider, tenant); !err.empty()) {
    report.error = usage(err);
    return s;
  }
  if (client.client_id.empty()) {
    report.error = usage(
        "--oauth2-login needs --oauth2-client-id: your own app registration's "
        "client ID (this tool ships none)",
        "register an app as the README's section \"Signing in with OAuth2\" "
        "shows, then pass its Application (client) ID");
    return s;
  }
  Flow flow = Flow::device;
  if (o.oauth2.flow == "browser" || client.device_url.empty()) {
    flow = Flow::browser;
  } else if (o.oauth2.flow == "auto" && !client.authorize_url.empty() &&
             (!o.oauth2.browser_cmd.empty() || (has_display() && on_path("xdg-open")))) {
    flow = Flow::browser;
  }
  if (provider == "google" && o.oauth2.flow == "device")
    report.warnings.push_back(
        "Google does not allow the mail scope in the device flow: using "
        "the browser flow");
  Error setup;
  FlowOutcome out = run_blocking(o, client, flow, {}, report, setup);
  if (setup) {
    report.error = setup;
    return s;
  }
  report.error = outcome_error(out, provider, o, client.client_id);
  if (report.error) return s;
  StoredGrant g;
  g.provider = provider;
  g.client_id = client.client_id;
  g.client_secret = client.client_secret;
  g.tenant = tenant;
  g.token_url = client.token_url;
  g.scope = client.scope;
  g.refresh_token = out.grant->refresh_token;
  g.access_token = out.grant->access_token;
  g.expires_at = out.grant->expires_in ? now_epoch() + out.grant->expires_in : 0;
  if (g.refresh_token.empty())
    report.warnings.push_back(
        "the provider issued no refresh token (offline_access missing?): "
        "later runs will need to sign in again");
  if (std::string err = store.save(g); !err.empty()) {
    report.error = usage(err);
    return s;
  }
  report.add_step(
      "oauth2.stored", 0,
      "grant kept " + (o.oauth2.store_cmd.empty() ? "in " + store.path()
                                                  : std::string("by --oauth2-store-cmd")));
  s.access_token = g.access_token;
  wipe(out.grant->access_token);
  wipe(out.grant->refresh_token);
  return s;
}

}  // namespace mv::tool
