// SPDX-License-Identifier: Apache-2.0
#include "tools/identities.hpp"

#include <optional>
#include <utility>

#include "protocols/common/ascii.hpp"
#include "tools/netrc.hpp"

namespace mv::tool {

namespace {

// One identity's secret, read at most once.
struct CachedSecret {
  std::optional<SecretResult> result;
  // The result, and whether it was read now (its warning is shown once).
  std::pair<const SecretResult&, bool> get(const SecretSources& sources) {
    const bool fresh = !result;
    if (fresh) result = read_secret(sources);
    return {*result, fresh};
  }
};

std::string login_for(const ToolOptions& o, const IdentityPlan& plan, const Endpoint& endpoint,
                      CachedSecret& cache, const char* what, std::optional<Credentials>& out,
                      std::vector<std::string>& warnings) {
  Credentials cred;
  cred.user = plan.user.empty() ? o.config.email : plan.user;
  cred.is_token = plan.is_token;
  cred.host = endpoint.host;
  cred.port = endpoint.port;
  if (!plan.sources.named()) {
    std::string netrc_warning;
    if (auto entry = netrc_lookup_home(endpoint.host, plan.user, netrc_warning)) {
      if (!netrc_warning.empty()) warnings.push_back(netrc_warning);
      if (plan.user.empty() && !entry->login.empty()) cred.user = entry->login;
      cred.secret = std::move(entry->password);
      out = std::move(cred);
      return {};
    }
  }
  SecretSources sources = plan.sources;
  sources.prompt = std::string(what) + " for " + cred.user + ": ";
  auto [secret, fresh] = cache.get(sources);
  if (!secret.error.empty()) return secret.error;
  if (fresh && !secret.warning.empty()) warnings.push_back(secret.warning);
  if (!secret.secret)
    return "no password for " + cred.user + " at " + endpoint.host +
           ": give --password-env, --password-file, --password-cmd, --oauth2-token-cmd, a "
           "~/.netrc entry, or run on a terminal to be asked";
  cred.secret = *secret.secret;
  out = std::move(cred);
  return {};
}

std::optional<Mechanism> mechanism_for(const ToolOptions& o, const Credentials& cred) {
  if (o.mechanism) return o.mechanism;
  if (cred.is_token) return Mechanism::xoauth2;  // what every OAuth2 mail provider takes
  return std::nullopt;                           // negotiate the strongest both sides have
}

}  // namespace

std::string resolve_identities(ToolOptions& o, std::vector<std::string>& warnings) {
  RunConfig& config = o.config;
  CachedSecret shared, smtp_own;
  const bool smtp_needs = config.send && o.smtp_login;
  if (smtp_needs) {
    const bool own = o.smtp_identity && !o.smtp_identity->shares_secret;
    const IdentityPlan& plan = o.smtp_identity ? *o.smtp_identity : o.login;
    if (std::string err =
            login_for(o, plan, config.smtp.endpoint, own ? smtp_own : shared,
                      own ? "SMTP password" : "Password", config.smtp.credentials, warnings);
        !err.empty())
      return err;
    config.smtp.mechanism = mechanism_for(o, *config.smtp.credentials);
  }
  if (config.read_back) {
    if (std::string err = login_for(o, o.login, config.incoming.endpoint, shared, "Password",
                                    config.incoming.credentials, warnings);
        !err.empty())
      return err;
    config.incoming.mechanism = mechanism_for(o, *config.incoming.credentials);
  }
  if (o.preset && o.preset->oauth2_only) {
    bool warned = false;
    for (ServerLogin* login : {&config.smtp, &config.incoming}) {
      if (!login->credentials || login->credentials->is_token) continue;
      if (!warned) warnings.push_back(std::string(o.preset->note));
      warned = true;
      // The policy is the provider's: it holds on its own servers, not on a --host of the user's.
      const ProviderPreset& p = *o.preset;
      for (std::string_view host : {p.smtp.host, p.smtp_alternative.host, p.imap.host, p.pop3.host})
        if (!host.empty() && iequals(login->endpoint.host, host))
          login->refuses_passwords = std::string(p.note);
    }
  }
  return {};
}

}  // namespace mv::tool
