// SPDX-License-Identifier: Apache-2.0
#include "engine/diagnosis.hpp"
#include "protocols/common/ascii.hpp"

#include <algorithm>
#include <string_view>

namespace mv {

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

std::string where(const DiagnosisContext& c) {
  return c.host + ":" + std::to_string(c.port);
}

struct Diagnosis {
  std::string cause;
  std::string fix;
};

// Microsoft (and others) refusing a password by policy rather than because it is wrong.
bool basic_auth_disabled(std::string_view words) {
  return icontains(words, "basic authentication is disabled") ||
         icontains(words, "BasicAuthBlocked") || icontains(words, "5.7.139") ||
         icontains(words, "SmtpClientAuthentication is disabled") || icontains(words, "5.7.30") ||
         icontains(words, "security defaults");
}

Diagnosis auth_failure(const Error& e, const DiagnosisContext& c) {
  std::string_view words = e.server_says;
  if (icontains(words, "SmtpClientAuthentication is disabled")) {
    return {
        "SMTP AUTH (authenticated client submission) is switched off for this mailbox or "
        "the whole tenant",
        "an Exchange admin must enable Authenticated SMTP for the mailbox (or the tenant), or "
        "use OAuth2 (--auth XOAUTH2)"};
  }
  if (icontains(words, "security defaults")) {
    return {"the tenant's Security Defaults block basic authentication",
            "use OAuth2 (--auth XOAUTH2), or ask the admin to adjust Security Defaults"};
  }
  if (basic_auth_disabled(words)) {
    return {
        "the server refuses passwords by policy (basic authentication is disabled), not "
        "because the password is wrong",
        "use OAuth2 (--auth XOAUTH2 with --oauth2-token-cmd), or an app password where the "
        "provider still allows one"};
  }
  if (icontains(words, "5.7.57")) {
    return {"the server requires an authenticated sender for this message",
            "authenticate before sending (give --user and a password or token)"};
  }
  if (c.used_token) {
    return {"the OAuth2 token was refused (expired, wrong scope or wrong user)",
            "fetch a fresh access token with the mail scopes for this exact user"};
  }
  if (!c.user.empty() && c.user.find('@') == std::string::npos) {
    return {"the user name \"" + c.user + "\" has no domain; most providers want the full address",
            "use your full email address as the user name"};
  }
  if (icontains(words, "application-specific password") || icontains(words, "app password") ||
      icontains(words, "two-step") || icontains(words, "534-5.7.9")) {
    return {"the account uses two-step verification and needs an app password",
            "create an app password in the account's security settings and use it"};
  }
  if (icontains(words, "IMAP") && icontains(words, "disabled")) {
    return {"IMAP access is switched off for this account",
            "enable IMAP (or POP) access in the account's settings"};
  }
  return {"the server refused the user name or password",
          "check the password (an app password if two-step verification is on) and use the full "
          "email address as user name"};
}

Diagnosis by_code(const Error& e, const DiagnosisContext& c) {
  const std::string& code = e.code;
  const std::string proto = c.protocol.empty() ? "the server" : c.protocol;
  if (code == "net.dns")
    return {"the host name " + c.host + " does not resolve",
            "check the spelling of the server name (and your DNS / network connection)"};
  if (code == "net.refused")
    return {"nothing accepts connections on " + where(c),
            c.protocol == "smtp" && c.port == 587
                ? "check the port; if your network blocks 587, try 465 (implicit TLS) or 25"
                : "check the host name and port the provider publishes"};
  if (code == "net.timeout")
    return {"no answer from " + where(c) + " in time; a firewall may be silently dropping packets",
            "check the port and any firewall; for SMTP, many ISPs block 25 and some block 587"};
  if (code == "net.too_slow")
    return {"the server at " + where(c) + " sends its reply so slowly that it never finishes",
            "retry later; if it persists, the server is overloaded or something throttles the "
            "connection"};
  if (code == "net.no_greeting")
    return {"the server on port " + std::to_string(c.port) +
                " stays silent: it most likely expects implicit TLS (SSL/TLS) from the first "
                "byte, not " +
                std::string(c.tls == TlsMode::none ? "plaintext" : "STARTTLS"),
            "use --" + c.protocol + "-tls implicit for port " + std::to_string(c.port) +
                " (STARTTLS belongs on 587/143/110)"};
  if (code == "net.unreachable")
    return {"no network route to " + c.host, "check the network connection (or try -4 / -6)"};
  if (code == "net.reset")
    return {"the connection to " + where(c) + " broke",
            "retry; if it repeats, the server or a middlebox closes the connection"};
  if (code == "tls.plaintext_reply")
    return {"the server on port " + std::to_string(c.port) +
                " answered in plaintext to a TLS handshake: this port uses STARTTLS, not "
                "implicit TLS",
            "use --" + c.protocol + "-tls starttls for port " + std::to_string(c.port) +
                " (or the provider's implicit-TLS port, e.g. 465/993/995)"};
  if (code == "tls.unknown_ca")
    return {"the server's certificate is not signed by a CA this machine trusts",
            "install the issuing CA, or pass --cafile with the right CA bundle; do not disable "
            "verification"};
  if (code == "tls.bad_host")
    return {"the server's certificate is not valid for the name " + c.host,
            "connect with the host name the certificate names (the provider's published host)"};
  if (code == "tls.expired")
    return {"the server's certificate has expired", "the server's administrator must renew it"};
  if (code == "tls.not_yet_valid")
    return {"the server's certificate is not valid yet (or this machine's clock is wrong)",
            "check this machine's date and time"};
  if (starts_with(code, "tls.handshake"))
    return {"the TLS handshake with " + where(c) + " failed",
            "check the TLS mode: implicit TLS on 465/993/995, STARTTLS on 587/143/110"};
  if (code.ends_with("starttls_unavailable") || code.ends_with("stls_unavailable"))
    return {proto + " on " + where(c) + " does not offer STARTTLS (or something strips it)",
            "use the implicit-TLS port (465/993/995), or check for a middlebox removing STARTTLS"};
  if (code.ends_with("starttls_refused") || code.ends_with("stls_refused"))
    return {proto + " refused to start TLS", "use the implicit-TLS port, or contact the provider"};
  if (code.ends_with("_injection"))
    return {
        "data arrived before the TLS handshake, right after the STARTTLS reply: a "
        "man-in-the-middle injection or a broken server",
        "do not use this network path; use implicit TLS (465/993/995)"};
  if (code.ends_with("preauth_before_tls"))
    return {
        "the IMAP server logged us in before TLS (PREAUTH) on a connection that had to be "
        "upgraded",
        "use implicit TLS on 993"};
  if (code.ends_with("plaintext_auth_refused"))
    return {"sending the password without TLS was refused by this tool",
            "use STARTTLS or implicit TLS; only pass --allow-plaintext on a trusted network"};
  if (code.ends_with("auth_unavailable"))
    return {proto + " on " + where(c) +
                " did not offer authentication (AUTH) after TLS; SMTP AUTH may be switched off",
            "enable SMTP authentication for the account, or use the provider's submission port "
            "587"};
  if (code.ends_with("auth_mechanism_unavailable")) {
    if (c.used_token)  // XOAUTH2 is the default with a token, no --auth needed to get here
      return {"the server does not take OAuth2 tokens with this mechanism",
              "use --auth OAUTHBEARER if the server lists it, else sign in with a password (an "
              "app password if two-step verification is on)"};
    return {"the server does not offer the chosen authentication mechanism",
            "drop --auth to let the tool choose, or pick one the server lists"};
  }
  if (code.ends_with("auth_failed")) return auth_failure(e, c);
  if (code == "smtp.message_too_large")
    return {"the message is larger than the server's SIZE limit",
            "send a smaller test message (--body-size)"};
  if (code == "smtp.rcpt_rejected" || code == "smtp.mail_rejected") {
    if (icontains(e.server_says, "5.7.60") || icontains(e.server_says, "SendAs"))
      return {"the account may not send as this address (Send As denied)",
              "send from the account's own address, or get Send As rights"};
    if (icontains(e.server_says, "relay") || icontains(e.server_says, "5.7.1"))
      return {"the server refused to relay: the sender is not authenticated or not allowed",
              "authenticate (SMTP AUTH) with the account's full address"};
    return {"the server refused the sender or recipient address",
            "check the address; the run sends to the account itself"};
  }
  if (code == "imap.select_failed")
    return {"the server could not open the mailbox (missing, no permission, or a server fault)",
            "see the server's words; the mailbox must exist and be readable by this account"};
  if (code == "smtp.data_rejected")
    return {"the server refused the message content", "see the server's words"};
  if (code.ends_with("greeting_refused"))
    return {"the server refused the connection in its greeting",
            "your address may be blocked; try another network or the provider's submission port"};
  if (code.ends_with("connection_closed"))
    return {"the server closed the connection in the middle of the conversation",
            "retry; if it repeats, check the server's logs or limits"};
  if (starts_with(code, "usage."))
    return {"the command line or configuration is not usable as given", "see the detail above"};
  if (e.category == Category::protocol)
    return {"the server answered something this tool cannot accept (protocol violation)",
            "see the server's words; if it repeats, report it to the provider"};
  return {"", ""};
}

}  // namespace

void diagnose(Error& error, const DiagnosisContext& context) {
  if (!error.cause.empty()) return;
  if (error.category == Category::auth && !context.used_token &&
      !context.refuses_passwords.empty()) {
    error.category = Category::policy;
    error.cause = "the provider refuses passwords by policy, whether right or not: " +
                  context.refuses_passwords;
    error.fix = "log in with an OAuth2 access token (--oauth2-token-cmd or --oauth2-token-env)";
    return;
  }
  Diagnosis d = by_code(error, context);
  error.cause = d.cause;
  if (error.fix.empty()) error.fix = d.fix;
}

}  // namespace mv
