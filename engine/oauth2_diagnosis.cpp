// SPDX-License-Identifier: Apache-2.0
#include "engine/oauth2_diagnosis.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/oauth2/jwt_claims.hpp"

namespace mv {

namespace {

struct Advice {
  Category category;
  std::string cause;
  std::string fix;
};

Advice advice_for(const OAuthError& r, const OAuthHint& h) {
  const std::string again = "sign in again with: " + h.login_command;
  const std::string app = "the app registration (client ID " + h.client_id + ")";
  // Microsoft's numbers first: they are more precise than the RFC codes they come with.
  if (r.has_provider_code(700016))
    return {Category::usage, h.provider + " knows no application with client ID " + h.client_id,
            "check --oauth2-client-id against the Application (client) ID of your registration, "
            "and that it allows personal or work accounts as this address needs (README: Signing "
            "in with OAuth2)"};
  if (r.has_provider_code(7000218))
    return {Category::usage, app + " does not allow public client flows (device code)",
            "in the Azure portal: App registrations > your app > Authentication > Allow public "
            "client flows: Yes; or sign in with --oauth2-flow browser"};
  if (r.has_provider_code(65001) || r.code == "consent_required")
    return {Category::auth, "consent to the mail scopes is missing for " + app,
            "sign in again and accept the permissions, or ask the tenant's admin to grant "
            "consent for the mail scopes; then: " +
                h.login_command};
  if (r.has_provider_code(50020) || r.has_provider_code(9002331) || r.has_provider_code(500200) ||
      r.has_provider_code(50034))
    return {Category::usage,
            "the account is of the wrong kind for this tenant or app (personal vs work/school)",
            "personal accounts (Outlook.com, Hotmail, Live) use --oauth2-tenant consumers and an "
            "app that allows personal accounts; Microsoft 365 accounts use organizations or "
            "their tenant ID"};
  if (r.has_provider_code(50076) || r.has_provider_code(50079))
    return {Category::policy, "the tenant requires multi-factor authentication for this sign-in",
            "sign in again interactively (it asks for the second factor): " + h.login_command};
  if (r.has_provider_code(53003))
    return {Category::policy, "a Conditional Access policy of the tenant blocked the sign-in",
            "ask the tenant's admin to allow this app or location (the sign-in logs name the "
            "policy)"};
  if (r.code == "invalid_grant" || r.has_provider_code(50173) || r.has_provider_code(700082) ||
      r.has_provider_code(70008) || r.has_provider_code(54005))
    return {Category::auth,
            "the stored sign-in has expired or was revoked (password change, "
            "sign-out everywhere, or unused for too long)",
            again};
  if (r.code == "expired_token")
    return {Category::auth, "the code was not entered before it expired", again};
  if (r.code == "access_denied")
    return {Category::auth, "the sign-in was declined in the browser", again};
  if (r.code == "invalid_client" || r.code == "unauthorized_client")
    return {Category::usage, h.provider + " refused " + app,
            "check --oauth2-client-id (and --oauth2-client-secret where the app type needs one) "
            "and that the app allows this flow (README: Signing in with OAuth2)"};
  if (r.code == "invalid_scope")
    return {
        Category::usage, "the app may not ask for the mail scopes it requested",
        "add the mail permissions to the app registration (README: Signing in with OAuth2), or fix "
        "--oauth2-scope"};
  return {Category::auth, h.provider + " refused the sign-in (" + r.code + ")",
          "read the provider's words above; then: " + again};
}

}  // namespace

Error diagnose_oauth_refusal(const OAuthError& refusal, const OAuthHint& hint, std::string step) {
  Advice a = advice_for(refusal, hint);
  Error e =
      make_error(ErrorKind::oauth2_refused, Protocol::none,
                 hint.provider + " answered " + refusal.code +
                     (refusal.http_status ? " (HTTP " + std::to_string(refusal.http_status) + ")"
                                          : std::string()),
                 refusal.description);
  // The provider's own error (RFC 6749 5.2) as the code: "oauth2.invalid_grant".
  e.category = a.category;
  e.code = "oauth2." + refusal.code;
  e.step = std::move(step);
  e.cause = std::move(a.cause);
  e.fix = std::move(a.fix);
  return e;
}

void explain_refused_token(Error& error, std::string_view token, std::string_view mailbox,
                           std::string_view protocol, std::int64_t now) {
  const std::optional<JwtClaims> c = decode_jwt_claims(token);
  if (!c) return;  // opaque: say nothing rather than guess
  const char* scope = protocol == "smtp"   ? "SMTP.Send"
                      : protocol == "pop3" ? "POP.AccessAsUser.All"
                                           : "IMAP.AccessAsUser.All";
  bool outlook_aud = false;
  for (const std::string& aud : c->audiences)
    if (icontains(aud, "outlook.office") || aud == "00000002-0000-0ff1-ce00-000000000000")
      outlook_aud = true;
  const bool microsoft_scopes =
      c->has_scope_ending(".AccessAsUser.All") || c->has_scope_ending("SMTP.Send");
  if (c->expires_at && *c->expires_at <= now) {
    error.cause =
        "the access token expired " + std::to_string((now - *c->expires_at) / 60) + " minutes ago";
    error.fix =
        "get a fresh token (the stored sign-in refreshes it by itself; with "
        "--oauth2-token-cmd, make the command refresh it)";
  } else if (!c->audiences.empty() && !outlook_aud && microsoft_scopes) {
    error.cause = "the token is for another resource, not Outlook's mail servers";
    error.fix =
        "request the scopes on https://outlook.office.com/ (e.g. "
        "https://outlook.office.com/" +
        std::string(scope) + "), not Microsoft Graph";
  } else if (!c->scopes.empty() && microsoft_scopes && !c->has_scope_ending(scope)) {
    error.cause = std::string("the token lacks ") + scope + " for " + std::string(protocol);
    error.fix = std::string("add ") + scope +
                " to the app's permissions and the requested scopes, then sign in again";
  } else if (!c->user.empty() && !mailbox.empty() && !iequals(c->user, mailbox)) {
    error.cause = "the token was issued for another mailbox than " + std::string(mailbox);
    error.fix = "sign in as " + std::string(mailbox) + ", or log in with the token's own account";
  }
}

}  // namespace mv
