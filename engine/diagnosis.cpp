// SPDX-License-Identifier: Apache-2.0
#include "engine/diagnosis.hpp"

#include <string_view>

#include "engine/provider_knowledge.hpp"
#include "protocols/common/ascii.hpp"
#include "tls/host_address.hpp"

namespace mv {

namespace {

std::string where(const DiagnosisContext& c) {
  return c.host + ":" + std::to_string(c.port);
}

std::string proto_of(const Error& e, const DiagnosisContext& c) {
  if (e.protocol != Protocol::none) return std::string(protocol_name(e.protocol));
  return c.protocol.empty() ? "the server" : c.protocol;
}

bool password_login(const DiagnosisContext& c) {
  return !c.used_token;
}

// What a refusal said in its codes, as words: "535 5.7.8 (security or policy: Authentication
// credentials invalid)", "[SYS/TEMP]".
std::string signal_words(const ServerSignal& s) {
  std::string out = s.summary();
  if (s.status) {
    out += " (" + std::string(enhanced_status_subject(s.status.subject)) + ": " +
           std::string(enhanced_status_meaning(s.status)) + ")";
  }
  return out;
}

// The server said "not now". Whatever the step, the settings and the password are not at fault.
Diagnosis temporary_refusal(const Error& e, const DiagnosisContext& c) {
  const std::string& code = e.signal.response_code;
  if (code == "IN-USE" || code == "INUSE")
    return {"the mailbox is in use by another session (another mail client holds the " +
                proto_of(e, c) + " lock): a temporary refusal, not the password",
            "close other mail apps using this account, or wait a few minutes, then retry"};
  if (code == "LOGIN-DELAY")
    return {
        "the server allows only one login every few minutes (LOGIN-DELAY): a temporary "
        "refusal, not the password",
        "wait the delay the server announces in CAPA, then retry"};
  if (code == "LIMIT")
    return {"a server limit was reached (connections, commands or size): a temporary refusal",
            "close other mail apps using this account, retry later"};
  std::string said = signal_words(e.signal);
  return {"the server refused for now" + (said.empty() ? std::string() : " (" + said + ")") +
              ": a temporary condition (busy, throttled, too many connections or logins), not "
              "the settings or the password",
          "retry later; if it persists, check for other clients using the account, or ask the "
          "provider"};
}

// IMAP RFC 5530 and POP3 RFC 2449/3206 codes that name the cause themselves.
std::optional<Diagnosis> by_response_code(Error& e) {
  const std::string& code = e.signal.response_code;
  if (code.empty()) return std::nullopt;
  if (code == "AUTHORIZATIONFAILED")
    return Diagnosis{"the credentials are valid but may not act as this user (AUTHORIZATIONFAILED)",
                     "log in as the mailbox's own user, or get delegated access to it"};
  if (code == "EXPIRED") {
    e.category = Category::auth;
    return Diagnosis{"the password or account has expired (EXPIRED)",
                     "set a new password through the provider's web site, then use it here"};
  }
  if (code == "PRIVACYREQUIRED") {
    e.category = Category::policy;
    return Diagnosis{"the server requires an encrypted connection for this (PRIVACYREQUIRED)",
                     "use implicit TLS (993/995) or STARTTLS"};
  }
  if (code == "CONTACTADMIN") {
    e.category = Category::policy;
    return Diagnosis{
        "the server refuses this account and says to contact the administrator (CONTACTADMIN): "
        "locked, disabled or not allowed this access",
        "contact the mail administrator; the password is not what the server complains of"};
  }
  if (code == "NOPERM") {
    e.category = Category::policy;
    return Diagnosis{"the account lacks permission for this mailbox or operation (NOPERM)",
                     "ask the administrator for the right to access the mailbox"};
  }
  if (code == "OVERQUOTA") {
    e.category = Category::delivery;
    return Diagnosis{"the mailbox is over its quota (OVERQUOTA)",
                     "delete or archive mail, or ask for a larger quota"};
  }
  if (code == "SERVERBUG")
    return Diagnosis{"the server reports an internal fault (SERVERBUG)",
                     "retry later; if it repeats, report it to the provider"};
  if (code == "NONEXISTENT")
    return Diagnosis{"the mailbox does not exist (NONEXISTENT)",
                     "check the folder name; INBOX always exists on a working account"};
  if (code == "SYS/PERM") {
    e.category = Category::policy;
    return Diagnosis{
        "the server refuses this permanently for a system reason, not the password ([SYS/PERM]): "
        "often POP or IMAP access switched off for the account",
        "enable POP/IMAP access for the account (its settings or the admin); the server's words "
        "say which"};
  }
  return std::nullopt;
}

// A refusal of MAIL, RCPT or DATA read through its enhanced status code (RFC 3463).
Diagnosis send_refusal(const Error& e, std::string_view what) {
  const EnhancedStatus& s = e.signal.status;
  const std::string code =
      s ? " (" + s.text() + ": " + std::string(enhanced_status_meaning(s)) + ")" : std::string();
  if (icontains(e.server_says, "relay") || (s.subject == 7 && s.detail == 1))
    return {"the server refused to relay" + code +
                ": the sender is not authenticated or not allowed to send from this address",
            "authenticate (SMTP AUTH) with the account's full address, and send from it"};
  if (s.subject == 2 && s.detail == 2)
    return {"the mailbox is full" + code, "delete or archive mail, or ask for a larger quota"};
  if (s.subject == 2 && s.detail == 1)
    return {"the mailbox is disabled and takes no mail" + code,
            "ask the administrator to re-enable the mailbox"};
  if ((s.subject == 2 && s.detail == 3) || (s.subject == 3 && s.detail == 4))
    return {"the message is larger than the server accepts" + code,
            "send a smaller test message (--body-size)"};
  if (s.subject == 7 && (s.detail == 0 || s.detail == 8 || s.detail == 57))
    return {"the server wants an authenticated sender for this" + code,
            "authenticate before sending (give --user and a password or token)"};
  if (s.subject == 1)
    return {"the server refused the " + std::string(what) + " address" + code,
            "check the address; the run sends from and to the account itself"};
  if (s.subject == 7)
    return {"the server refused the " + std::string(what) + " by policy" + code,
            "see the server's words; the account may not send this (sender, content or limits)"};
  if (s.subject == 6)
    return {"the server refused the message content" + code,
            "see the server's words: a content filter refused it"};
  if (s) return {"the server refused the " + std::string(what) + code, "see the server's words"};
  return {"the server refused the " + std::string(what),
          "see the server's words; the run sends from and to the account itself"};
}

Diagnosis auth_failure(const Error& e, const DiagnosisContext& c) {
  if (c.used_token)
    return {"the OAuth2 token was refused (expired, wrong scope or wrong user)",
            "fetch a fresh access token with the mail scopes for this exact user"};
  if (!c.user.empty() && c.user.find('@') == std::string::npos)
    return {"the user name \"" + c.user + "\" has no domain; most providers want the full address",
            "use your full email address as the user name"};
  if (icontains(e.server_says, "application-specific password") ||
      icontains(e.server_says, "app password") || icontains(e.server_says, "two-step"))
    return {"the account uses two-step verification and needs an app password",
            "create an app password in the account's security settings and use it"};
  if (icontains(e.server_says, "IMAP") && icontains(e.server_says, "disabled"))
    return {"IMAP access is switched off for this account",
            "enable IMAP (or POP) access in the account's settings"};
  return {"the server refused the user name or password",
          "check the password (an app password if two-step verification is on) and use the full "
          "email address as user name"};
}

}  // namespace

Diagnosis diagnose_kind(const Error& e, const DiagnosisContext& c) {
  const std::string proto = proto_of(e, c);
  switch (e.kind) {
    case ErrorKind::none:
      return {"no error", "nothing to do"};
    case ErrorKind::dns:
      return {"the host name " + c.host + " does not resolve",
              "check the spelling of the server name (and your DNS / network connection)"};
    case ErrorKind::refused:
      return {"nothing accepts connections on " + where(c),
              c.protocol == "smtp" && c.port == 587
                  ? "check the port; if your network blocks 587, try 465 (implicit TLS) or 25"
                  : "check the host name and port the provider publishes"};
    case ErrorKind::timeout:
      return {
          "no answer from " + where(c) + " in time; a firewall may be silently dropping packets",
          "check the port and any firewall; for SMTP, many ISPs block 25 and some block 587"};
    case ErrorKind::too_slow:
      return {"the server at " + where(c) + " sends its reply so slowly that it never finishes",
              "retry later; if it persists, the server is overloaded or something throttles the "
              "connection"};
    case ErrorKind::no_greeting:
      return {"the server on port " + std::to_string(c.port) +
                  " stays silent: it most likely expects implicit TLS (SSL/TLS) from the first "
                  "byte, not " +
                  std::string(c.tls == TlsMode::none ? "plaintext" : "STARTTLS"),
              "use --" + c.protocol + "-tls implicit for port " + std::to_string(c.port) +
                  " (STARTTLS belongs on 587/143/110)"};
    case ErrorKind::unreachable:
      return {"no network route to " + c.host, "check the network connection (or try -4 / -6)"};
    case ErrorKind::connect:
      return {"the connection to " + where(c) + " could not be made",
              "check the host name, the port and the network connection"};
    case ErrorKind::reset:
    case ErrorKind::read:
    case ErrorKind::write:
      return {"the connection to " + where(c) + " broke",
              "retry; if it repeats, the server or a middlebox closes the connection"};
    case ErrorKind::plaintext_reply:
      return {"the server on port " + std::to_string(c.port) +
                  " answered in plaintext to a TLS handshake: this port uses STARTTLS, not "
                  "implicit TLS",
              "use --" + c.protocol + "-tls starttls for port " + std::to_string(c.port) +
                  " (or the provider's implicit-TLS port, e.g. 465/993/995)"};
    case ErrorKind::unknown_ca:
      return {"the server's certificate is not signed by a CA this machine trusts",
              "install the issuing CA, or pass --cafile with the right CA bundle; do not disable "
              "verification"};
    case ErrorKind::bad_host:
      if (const auto address = parse_host_address(c.host); address && address->literal())
        return {"the server's certificate does not name the IP address " + c.host,
                "connect by the host name the certificate names, or have the address added to "
                "its subjectAltName"};
      return {"the server's certificate is not valid for the name " + c.host,
              "connect with the host name the certificate names (the provider's published host)"};
    case ErrorKind::expired:
      return {"the server's certificate has expired", "the server's administrator must renew it"};
    case ErrorKind::not_yet_valid:
      return {"the server's certificate is not valid yet (or this machine's clock is wrong)",
              "check this machine's date and time"};
    case ErrorKind::tls_read:
    case ErrorKind::tls_write:
      return {"the TLS connection with " + where(c) + " broke (a TLS record failed)",
              "retry; if it repeats, a middlebox may be interfering with TLS"};
    case ErrorKind::handshake:
      return {"the TLS handshake with " + where(c) + " failed",
              "check the TLS mode: implicit TLS on 465/993/995, STARTTLS on 587/143/110"};
    case ErrorKind::tls_init:
      return {"TLS could not be set up on this machine (random source or configuration)",
              "check the CA bundle and the system's TLS libraries"};
    case ErrorKind::connection_closed:
    case ErrorKind::truncated:
    case ErrorKind::closed:
      return {"the server closed the connection in the middle of the conversation",
              "retry; if it repeats, check the server's logs or limits"};
    case ErrorKind::greeting_refused:
      return {"the server refused the connection in its greeting",
              "your address may be blocked; try another network or the provider's submission "
              "port"};
    case ErrorKind::starttls_unavailable:
      return {proto + " on " + where(c) + " does not offer STARTTLS (or something strips it)",
              "use the implicit-TLS port (465/993/995), or check for a middlebox removing "
              "STARTTLS"};
    case ErrorKind::starttls_refused:
      return {proto + " refused to start TLS",
              "use the implicit-TLS port, or contact the provider"};
    case ErrorKind::starttls_injection:
      return {
          "data arrived before the TLS handshake, right after the STARTTLS reply: a "
          "man-in-the-middle injection or a broken server",
          "do not use this network path; use implicit TLS (465/993/995)"};
    case ErrorKind::preauth_before_tls:
      return {
          "the IMAP server logged us in before TLS (PREAUTH) on a connection that had to be "
          "upgraded",
          "use implicit TLS on 993"};
    case ErrorKind::unexpected_tls:
    case ErrorKind::bad_argument:
    case ErrorKind::bad_task:
    case ErrorKind::internal:
      return {"this tool drove the " + proto + " client wrongly (a bug in verify-roundtrip)",
              "report it with the --trace output"};
    case ErrorKind::plaintext_auth_refused:
      return {"sending the password without TLS was refused by this tool",
              "use STARTTLS or implicit TLS; only pass --allow-plaintext on a trusted network"};
    case ErrorKind::auth_unavailable:
      return {proto + " on " + where(c) +
                  " did not offer authentication (AUTH) after TLS; SMTP AUTH may be switched off",
              "enable SMTP authentication for the account, or use the provider's submission "
              "port 587"};
    case ErrorKind::mechanism_unavailable:
      if (c.used_token)  // XOAUTH2 is the default with a token, no --auth needed to get here
        return {"the server does not take OAuth2 tokens with this mechanism",
                "use --auth OAUTHBEARER if the server lists it, else sign in with a password (an "
                "app password if two-step verification is on)"};
      return {"the server does not offer the chosen authentication mechanism",
              "drop --auth to let the tool choose, or pick one the server lists"};
    case ErrorKind::no_mechanism:
      if (c.used_token)
        return {proto + " on " + where(c) + " offers no OAuth2 mechanism (XOAUTH2, OAUTHBEARER)",
                "sign in with a password (an app password if two-step verification is on), or "
                "use the provider's OAuth2-capable host"};
      return {proto + " on " + where(c) + " offers no authentication mechanism this tool can use",
              "use the provider's published host and port (over TLS the server usually offers "
              "PLAIN or LOGIN)"};
    case ErrorKind::login_disabled:
      return {
          "the IMAP server disables LOGIN (LOGINDISABLED) and offers no usable AUTHENTICATE "
          "mechanism",
          "use TLS (implicit on 993, or STARTTLS), after which servers enable login; else "
          "OAuth2"};
    case ErrorKind::auth_failed:
      return auth_failure(e, c);
    case ErrorKind::bad_credentials:
      return {"the user name or password contains a line break or NUL character",
              "check the secret source (--password-file, --password-cmd): only its first line "
              "is the password"};
    case ErrorKind::bad_challenge:
      return {"the server's authentication challenge is malformed",
              "pick another mechanism with --auth; if it repeats, report it to the provider"};
    case ErrorKind::smtputf8_unsupported:
      return {
          "the address has non-ASCII characters before the @ and this server does not offer "
          "SMTPUTF8 (RFC 6531)",
          "use an ASCII alias of the mailbox, or a submission server that offers SMTPUTF8"};
    case ErrorKind::message_too_large:
      return {"the message is larger than the server's SIZE limit",
              "send a smaller test message (--body-size)"};
    case ErrorKind::mail_rejected:
      return send_refusal(e, "sender");
    case ErrorKind::rcpt_rejected:
      return send_refusal(e, "recipient");
    case ErrorKind::data_rejected:
      return send_refusal(e, "message");
    case ErrorKind::select_failed:
      return {"the server could not open the mailbox (missing, no permission, or a server fault)",
              "see the server's words; the mailbox must exist and be readable by this account"};
    case ErrorKind::search_refused:
    case ErrorKind::fetch_refused:
    case ErrorKind::store_refused:
    case ErrorKind::list_refused:
    case ErrorKind::stat_failed:
    case ErrorKind::list_failed:
    case ErrorKind::top_failed:
    case ErrorKind::retr_failed:
    case ErrorKind::dele_failed:
    case ErrorKind::rset_failed:
    case ErrorKind::quit_failed:
      return {"the server refused a mailbox command after a successful login (" + e.step + ")",
              "see the server's words; the mailbox may be locked, over quota or damaged"};
    case ErrorKind::capability_failed:
    case ErrorKind::ehlo_refused:
    case ErrorKind::helo_refused:
      return {"the server refused the client's opening command (" + e.step + ")",
              "see the server's words; check the host and port are a mail server's"};
    case ErrorKind::line_too_long:
    case ErrorKind::reply_too_large:
    case ErrorKind::literal_too_large:
    case ErrorKind::too_many_capabilities:
    case ErrorKind::listing_too_long:
      return {"the server sent more than this tool's safety limits allow",
              "see the server's words; if the server is genuine, report it to the provider"};
    case ErrorKind::malformed_reply:
    case ErrorKind::bad_response:
    case ErrorKind::bad_greeting:
    case ErrorKind::bad_status:
    case ErrorKind::bad_stat:
    case ErrorKind::bad_uidl:
    case ErrorKind::bad_list:
    case ErrorKind::unexpected_reply:
    case ErrorKind::unexpected_response:
    case ErrorKind::unexpected_continuation:
    case ErrorKind::unexpected_data:
    case ErrorKind::unknown_tag:
    case ErrorKind::not_ready:
      return {"the server answered something this tool cannot accept (protocol violation)",
              "see the server's words; if it repeats, report it to the provider"};
    case ErrorKind::bye:
      return {"the server ended the session (BYE) in the middle of the conversation",
              "see the server's words; retry later"};
    case ErrorKind::usage:
    case ErrorKind::bad_header_value:
    case ErrorKind::bad_token:
    case ErrorKind::bad_address:
    case ErrorKind::bad_date:
    case ErrorKind::body_too_large:
    case ErrorKind::cafile:
    case ErrorKind::protocol_not_built:
    case ErrorKind::trace_file:
    case ErrorKind::url:
    case ErrorKind::oauth2:
      return {"the command line or configuration is not usable as given", "see the detail above"};
    case ErrorKind::no_randomness:
      return {
          "this system gives the process no random numbers (a seccomp filter or an old kernel "
          "refuses getrandom), and a guessable token could match other mail",
          "run the tool where getrandom(2) is allowed (check the container's seccomp "
          "profile)"};
    case ErrorKind::http_status_line:
    case ErrorKind::http_header:
    case ErrorKind::http_length:
    case ErrorKind::http_chunk:
    case ErrorKind::http_not_http:
    case ErrorKind::http_response:
    case ErrorKind::http_too_large:
    case ErrorKind::http_truncated:
    case ErrorKind::json_syntax:
    case ErrorKind::json_utf8:
    case ErrorKind::json_depth:
    case ErrorKind::json_duplicate_key:
    case ErrorKind::json_too_large:
    case ErrorKind::oauth2_response:
      return {"the sign-in endpoint at " + c.host +
                  " answered something that is not a valid OAuth2 reply (HTTP or JSON broken)",
              "check the endpoint URLs (--oauth2-*-endpoint); if they are right, retry later or "
              "report it to the provider"};
    case ErrorKind::xml_syntax:
    case ErrorKind::xml_forbidden:
    case ErrorKind::xml_limit:
    case ErrorKind::discover_document:
      return {"a settings-discovery source answered a document that is not usable settings",
              "the source is skipped; the other sources and --host still work"};
    case ErrorKind::discover_not_found:
    case ErrorKind::discover_status:
      return {"this settings-discovery source has nothing for the domain",
              "the source is skipped; the other sources and --host still work"};
    case ErrorKind::discover_redirect:
      return {
          "a settings-discovery source redirected where the tool does not follow "
          "(plain http://, a bad address, or too many hops)",
          "the source is skipped; ask the domain's administrator to fix its redirect"};
    case ErrorKind::discover_wrong_domain:
      return {
          "the settings document found is for another domain, so it is not used for this "
          "address",
          "the source is skipped; give the servers with --host if no source has them"};
    case ErrorKind::discover_needs_auth:
      return {
          "Autodiscover answers only with the account's credentials, which discovery never "
          "sends",
          "use the other sources or --host (an Exchange server: ask for its IMAP/SMTP "
          "settings)"};
    case ErrorKind::discover_refused:
      return {"the Autodiscover service answered with an error for this address",
              "the source is skipped; the other sources and --host still work"};
    case ErrorKind::discover_file:
      return {"the local ISPDB file or directory could not be read", "check the path given"};
    case ErrorKind::oauth2_listen:
      return {"the browser sign-in could not listen on 127.0.0.1 for the redirect",
              "use the device flow (--oauth2-flow device), or free a local port"};
    case ErrorKind::oauth2_redirect:
      return {"the sign-in endpoint answered with a redirect, which the tool does not follow",
              "give the endpoint's final URL (--oauth2-*-endpoint)"};
    case ErrorKind::oauth2_no_redirect:
    case ErrorKind::oauth2_state:
      return {
          "the browser sign-in did not come back with a valid answer (no redirect in time, or "
          "a state that does not match: a stale or forged page)",
          "sign in again with --oauth2-login, in one browser tab"};
    case ErrorKind::oauth2_refused:
      return {"the sign-in was refused by the identity provider",
              "sign in again with --oauth2-login"};
    case ErrorKind::not_delivered:
      if (c.receive_only)
        return {"no message with this token is in the mailbox",
                "check the token, and whether a filter moved the message to another folder"};
      return {"the server accepted the message but did not deliver it to this mailbox in time",
              "look up the queue id in the server's logs (delayed queue, filtering, forwarding "
              "rules), or raise --delivery-timeout"};
    case ErrorKind::modified:
      return {"the message was modified in transit (a filter, footer or re-encoding)",
              "check for gateways that rewrite messages (disclaimers, antivirus, encoding)"};
    case ErrorKind::junk:
      return {"the provider's spam filter classified the test message as junk",
              "mark it as not junk, or check the sender's reputation and the filter rules"};
    case ErrorKind::fetch_empty:
      return {"the server found the message but returned no content for it",
              "retry; if it repeats, the mailbox may be damaged or the server faulty"};
    case ErrorKind::interrupted:
      return {"the run was interrupted, so nothing can be said about the steps it did not reach",
              "run it again"};
    case ErrorKind::no_settings:
      return {"settings discovery found no usable " + (c.protocol.empty() ? "mail" : c.protocol) +
                  " server for the address's domain (no preset, autoconfig, ISPDB entry, SRV "
                  "record, known MX or Autodiscover answer)",
              "give the servers (--host, or --smtp-host and --imap-host), or publish an autoconfig "
              "document or SRV records (RFC 6186) for the domain"};
    case ErrorKind::no_name_server:
      return {"there is no name server to ask for the domain's SRV and MX records",
              "give --dns-server ADDRESS, or name one in /etc/resolv.conf"};
    case ErrorKind::deadline:
      return {
          "the servers were too slow for the overall deadline (-t), or one of them stopped "
          "answering",
          "see which step it stopped at; raise -t if the servers are just slow"};
  }
  return {"unknown error", "report it with the --trace output"};
}

void diagnose(Error& error, const DiagnosisContext& context) {
  if (!error.cause.empty()) return;
  Diagnosis d;
  const bool password = password_login(context);
  const Provider provider =
      recognise_provider({context.host, context.greeting, context.certificate});
  const bool consumer =
      microsoft_consumer_address(context.email.empty() ? context.user : context.email);
  std::optional<Diagnosis> code;
  if (auto known = known_refusal(provider, error, password, consumer)) {
    if (error.category != Category::usage) error.category = known->category;
    d = {std::string(known->cause), std::string(known->fix)};
  } else if (error.category == Category::temporary) {
    d = temporary_refusal(error, context);
  } else if (error.category == Category::auth && password && !context.refuses_passwords.empty()) {
    error.category = Category::policy;
    d = {"the provider refuses passwords by policy, whether right or not: " +
             context.refuses_passwords,
         "log in with an OAuth2 access token (--oauth2-token-cmd or --oauth2-token-env)"};
  } else if ((code = by_response_code(error))) {
    d = *code;
  } else {
    d = diagnose_kind(error, context);
  }
  // RFC 9051 7.1: an [ALERT] must reach the user; it is often the only precise reason given.
  if (!error.signal.alert.empty())
    d.cause += "; the server's alert: \"" + error.signal.alert + "\"";
  error.cause = std::move(d.cause);
  if (error.fix.empty()) error.fix = std::move(d.fix);
}

}  // namespace mv
