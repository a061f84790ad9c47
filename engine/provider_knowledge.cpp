// SPDX-License-Identifier: Apache-2.0
#include "engine/provider_knowledge.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/common/base64.hpp"

namespace mv {

namespace {

enum class Where { host, greeting, certificate };

struct Sign {
  Provider provider;
  Where where;
  std::string_view text;  // host: a domain suffix; else a case-insensitive substring
  std::string_view source;
};

// First match wins: Exchange Online before on-premises Exchange.
constexpr Sign kSigns[] = {
    // Microsoft 365 / Outlook.com: the published hosts and the retired ones users still type
    // (imap-mail.outlook.com, pop3.live.com, smtp.live.com, ...).
    {Provider::microsoft, Where::host, "office365.com",
     "learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/pop3-and-imap4/"
     "pop3-and-imap4 (outlook.office365.com, smtp.office365.com)"},
    {Provider::microsoft, Where::host, "outlook.com",
     "support.microsoft.com 'POP, IMAP, and SMTP settings for Outlook.com' (smtp-mail.outlook.com, "
     "formerly imap-mail.outlook.com)"},
    {Provider::microsoft, Where::host, "live.com", "retired Outlook.com hosts (pop3.live.com)"},
    {Provider::microsoft, Where::host, "hotmail.com", "retired Outlook.com hosts"},
    // Exchange Online's SMTP greeting: "220 BN9PR03CA0123.outlook.office365.com Microsoft ESMTP
    // MAIL Service ready at ..."; its IMAP/POP3 greetings carry the server name (decoded here).
    {Provider::microsoft, Where::greeting, "outlook.office365.com", "Exchange Online's greeting"},
    {Provider::microsoft, Where::greeting, ".prod.outlook.com",
     "Exchange Online's IMAP4/POP3 greeting, the bracketed server name decoded"},
    {Provider::microsoft, Where::certificate, "outlook.com",
     "the certificate of outlook.office365.com (CN=outlook.com)"},
    // On-premises Exchange: "* OK The Microsoft Exchange IMAP4 service is ready."
    {Provider::exchange, Where::greeting, "Microsoft Exchange",
     "Exchange Server's IMAP4/POP3 greeting"},
    {Provider::exchange, Where::greeting, "Microsoft ESMTP MAIL Service",
     "Exchange Server's SMTP greeting"},
    // Gmail: "* OK Gimap ready for requests from ...", "+OK Gpop ready ...", "220 smtp.gmail.com
    // ESMTP ... - gsmtp".
    {Provider::gmail, Where::host, "gmail.com", "support.google.com/mail/answer/7126229"},
    {Provider::gmail, Where::host, "googlemail.com", "support.google.com/mail/answer/7126229"},
    {Provider::gmail, Where::greeting, "Gimap ready", "Gmail's IMAP greeting"},
    {Provider::gmail, Where::greeting, "Gpop ready", "Gmail's POP3 greeting"},
    {Provider::gmail, Where::greeting, " gsmtp", "Gmail's SMTP greeting"},
    // Yahoo: imap.mail.yahoo.com, smtp.mail.yahoo.com (help.yahoo.com/kb/SLN4075.html).
    {Provider::yahoo, Where::host, "yahoo.com", "help.yahoo.com/kb/SLN4075.html"},
    {Provider::yahoo, Where::certificate, "yahoo.com", "the certificate of imap.mail.yahoo.com"},
    // iCloud: imap.mail.me.com, smtp.mail.me.com (support.apple.com/102525).
    {Provider::icloud, Where::host, "mail.me.com", "support.apple.com/102525"},
    {Provider::icloud, Where::host, "icloud.com", "support.apple.com/102525"},
    {Provider::aol, Where::host, "aol.com", "help.aol.com 'IMAP server settings'"},
    {Provider::fastmail, Where::host, "fastmail.com",
     "fastmail.help/hc/en-us/articles/1500000278342"},
    {Provider::fastmail, Where::host, "messagingengine.com", "Fastmail's server names"},
    {Provider::zoho, Where::host, "zoho.com", "zoho.com/mail/help/imap-access.html"},
    {Provider::zoho, Where::host, "zoho.eu", "zoho.com/mail/help/imap-access.html"},
};

enum class Stage { any, connect, auth, send, mailbox };

Stage stage_of(ErrorKind k) {
  switch (kind_family(k)) {
    case KindFamily::session:
      break;
    default:
      return Stage::any;
  }
  switch (k) {
    case ErrorKind::greeting_refused:
      return Stage::connect;
    case ErrorKind::auth_failed:
      return Stage::auth;
    case ErrorKind::mail_rejected:
    case ErrorKind::rcpt_rejected:
    case ErrorKind::data_rejected:
    case ErrorKind::message_too_large:
      return Stage::send;
    case ErrorKind::select_failed:
    case ErrorKind::search_refused:
    case ErrorKind::fetch_refused:
    case ErrorKind::store_refused:
    case ErrorKind::list_refused:
    case ErrorKind::stat_failed:
    case ErrorKind::list_failed:
    case ErrorKind::top_failed:
    case ErrorKind::retr_failed:
    case ErrorKind::dele_failed:
      return Stage::mailbox;
    default:
      return Stage::any;
  }
}

enum class Login { any, password };
enum class Account { any, consumer, work };

struct Rule {
  Provider provider;  // unknown: any server
  Stage stage;
  std::string_view words;  // case-insensitive, in the server's words or its [ALERT]; "" = any
  Login login;
  Account account;
  Protocol protocol;  // none: any
  KnownRefusal refusal;
};

constexpr Category kPolicy = Category::policy, kAuth = Category::auth, kTemp = Category::temporary,
                   kDelivery = Category::delivery;

constexpr std::string_view kOAuthFix =
    "log in with OAuth2 (--oauth2-token-cmd or --oauth2-token-env; --auth XOAUTH2)";

// First match wins: specific strings before general ones.
constexpr Rule kRules[] = {
    // ---- Microsoft: Exchange Online and Outlook.com ------------------------------------------
    {Provider::unknown,
     Stage::auth,
     "SmtpClientAuthentication is disabled",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy,
      "SMTP AUTH (authenticated client submission) is switched off for this mailbox or the "
      "whole tenant",
      "an Exchange admin must enable Authenticated SMTP for the mailbox (or the tenant), or use "
      "OAuth2 (--auth XOAUTH2)",
      "learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/"
      "authenticated-client-smtp-submission: '535 5.7.139 Authentication unsuccessful, "
      "SmtpClientAuthentication is disabled for the Tenant.'"}},
    {Provider::unknown,
     Stage::auth,
     "security defaults",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy,
      "the tenant's Security Defaults block basic authentication (by policy, not because the "
      "password is wrong)",
      "use OAuth2 (--auth XOAUTH2), or ask the admin to adjust Security Defaults",
      "same page: '535 5.7.139 Authentication unsuccessful, user is locked by your "
      "organization's security defaults policy.'"}},
    {Provider::unknown,
     Stage::auth,
     "basic authentication is disabled",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy,
      "the server refuses passwords by policy (basic authentication is disabled), not because "
      "the password is wrong",
      "use OAuth2 (--auth XOAUTH2 with --oauth2-token-cmd), or an app password where the "
      "provider still allows one",
      "same page: '535 5.7.139 Authentication unsuccessful, basic authentication is "
      "disabled.'"}},
    {Provider::unknown,
     Stage::auth,
     "BasicAuthBlocked",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy,
      "the server refuses passwords by policy (basic authentication is blocked), not because "
      "the password is wrong",
      kOAuthFix, "Microsoft Entra sign-in logs: 'BasicAuthBlocked'"}},
    {Provider::unknown,
     Stage::auth,
     "5.7.139",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy,
      "Microsoft refused the login by policy (5.7.139: basic authentication, MFA or Conditional "
      "Access), not because the password is wrong",
      "use OAuth2 (--auth XOAUTH2), or ask the admin which policy blocks SMTP AUTH",
      "learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/"
      "authenticated-client-smtp-submission"}},
    {Provider::unknown,
     Stage::auth,
     "5.7.30",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy, "basic authentication is not supported for this client submission (5.7.30)",
      kOAuthFix,
      "learn.microsoft.com: '535 5.7.30 Basic authentication is not supported for Client "
      "Submission'"}},
    // Outlook.com takes only OAuth2 since 2024-09-16; its servers answer a password with the
    // same words as a wrong one ("NO LOGIN failed.", "535 5.7.3 Authentication unsuccessful").
    {Provider::microsoft,
     Stage::auth,
     "",
     Login::password,
     Account::consumer,
     Protocol::none,
     {kPolicy,
      "Microsoft's consumer accounts (Outlook.com, Hotmail, Live, MSN) accept only OAuth2 since "
      "2024-09-16: the password is refused by policy, whether right or not",
      kOAuthFix,
      "support.microsoft.com 'Modern authentication methods now needed to continue syncing "
      "Outlook Email in non-Microsoft email apps'"}},
    // Exchange Online turned basic authentication off for IMAP and POP3 in every tenant
    // (October 2022); it answers "NO LOGIN failed." / "-ERR Logon failure: unknown user name or
    // bad password." whatever the password.
    {Provider::microsoft,
     Stage::auth,
     "",
     Login::password,
     Account::work,
     Protocol::imap,
     {kPolicy,
      "Exchange Online no longer accepts passwords over IMAP (basic authentication was turned "
      "off for every tenant from October 2022): the refusal is policy, not the password",
      kOAuthFix,
      "learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/"
      "deprecation-of-basic-authentication-exchange-online"}},
    {Provider::microsoft,
     Stage::auth,
     "",
     Login::password,
     Account::work,
     Protocol::pop3,
     {kPolicy,
      "Exchange Online no longer accepts passwords over POP3 (basic authentication was turned "
      "off for every tenant from October 2022): the refusal is policy, not the password",
      kOAuthFix,
      "learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/"
      "deprecation-of-basic-authentication-exchange-online"}},
    {Provider::microsoft,
     Stage::auth,
     "5.7.3",
     Login::password,
     Account::work,
     Protocol::smtp,
     {kAuth,
      "Exchange Online refused the login (535 5.7.3): a wrong password, or MFA / Conditional "
      "Access that blocks passwords for this account",
      "check the password; if it is right, use OAuth2 (--auth XOAUTH2) or ask the admin to allow "
      "SMTP AUTH for this mailbox",
      "learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/"
      "authenticated-client-smtp-submission ('535 5.7.3 Authentication unsuccessful')"}},
    {Provider::unknown,
     Stage::send,
     "5.7.60",
     Login::any,
     Account::any,
     Protocol::none,
     {kDelivery, "the account may not send as this address (Send As denied)",
      "send from the account's own address, or get Send As rights",
      "learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-"
      "online/fix-error-code-5-7-60-in-exchange-online"}},
    {Provider::unknown,
     Stage::send,
     "SendAsDenied",
     Login::any,
     Account::any,
     Protocol::none,
     {kDelivery, "the account may not send as this address (Send As denied)",
      "send from the account's own address, or get Send As rights",
      "Exchange Online: '554 5.2.252 SendAsDenied; ... not allowed to send as ...'"}},
    {Provider::microsoft,
     Stage::send,
     "5.7.57",
     Login::any,
     Account::any,
     Protocol::smtp,
     {kPolicy, "Exchange Online requires an authenticated client to send (5.7.57)",
      "authenticate (SMTP AUTH) on smtp.office365.com port 587",
      "learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-"
      "online/fix-error-code-5-7-57-in-exchange-online"}},
    {Provider::microsoft,
     Stage::any,
     "4.7.5",
     Login::any,
     Account::any,
     Protocol::none,
     {kTemp,
      "Exchange Online is throttling or busy: a temporary refusal (4.7.500-699: access denied "
      "for now, please try again later)",
      "retry later; if it repeats, fewer connections or messages per minute from this account",
      "learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-"
      "online/non-delivery-reports-in-exchange-online (4.7.500-699)"}},
    {Provider::microsoft,
     Stage::send,
     "5.2.2",
     Login::any,
     Account::any,
     Protocol::none,
     {kDelivery, "the mailbox is full (QuotaExceededException)",
      "delete or archive mail, or ask for a larger quota",
      "learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-"
      "online/fix-error-code-5-2-2-in-exchange-online"}},
    {Provider::unknown,
     Stage::any,
     "User is authenticated but not connected",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy,
      "the login was accepted but the mailbox cannot be reached: IMAP/POP is disabled for this "
      "mailbox, the user has no Exchange licence, or the mailbox is not provisioned",
      "an admin must enable IMAP/POP for the mailbox (Set-CASMailbox) and check its licence",
      "Exchange Online: 'NO User is authenticated but not connected.'"}},
    // ---- Gmail -----------------------------------------------------------------------------
    {Provider::unknown,
     Stage::auth,
     "Application-specific password required",
     Login::any,
     Account::any,
     Protocol::none,
     {kAuth, "the account uses 2-Step Verification and needs an app password",
      "create an app password (myaccount.google.com/apppasswords) and use it",
      "support.google.com/a/answer/3726730: '534-5.7.9 Application-specific password "
      "required'"}},
    {Provider::unknown,
     Stage::auth,
     "534-5.7.9",
     Login::any,
     Account::any,
     Protocol::none,
     {kAuth, "the account uses two-step verification and needs an app password",
      "create an app password in the account's security settings and use it",
      "support.google.com/a/answer/3726730"}},
    {Provider::unknown,
     Stage::any,
     "Please log in via your web browser",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy, "Google blocked the sign-in as suspicious and wants it confirmed in a browser first",
      "sign in at mail.google.com from this network, then retry; use an app password or OAuth2",
      "support.google.com/mail/answer/78754 ('[ALERT] Please log in via your web browser')"}},
    {Provider::unknown,
     Stage::any,
     "not enabled for IMAP",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy, "IMAP access is switched off for this account",
      "enable IMAP in the account's settings (Gmail: Settings > Forwarding and POP/IMAP)",
      "Gmail: '[ALERT] Your account is not enabled for IMAP use.'"}},
    {Provider::unknown,
     Stage::any,
     "Too many simultaneous connections",
     Login::any,
     Account::any,
     Protocol::none,
     {kTemp,
      "too many connections to this mailbox at once (other mail clients are connected): a "
      "temporary refusal",
      "close other mail apps or devices using this account, then retry",
      "Gmail: '* NO [ALERT] Too many simultaneous connections. (Failure)'; "
      "support.google.com/mail/answer/7126229"}},
    {Provider::unknown,
     Stage::any,
     "exceeded command or bandwidth limits",
     Login::any,
     Account::any,
     Protocol::none,
     {kTemp, "the account hit the provider's command or bandwidth limit: a temporary refusal",
      "retry later (limits reset within a day); fewer syncing clients help",
      "Gmail: '[ALERT] Account exceeded command or bandwidth limits. (Failure)'"}},
    {Provider::unknown,
     Stage::any,
     "Too many login attempts",
     Login::any,
     Account::any,
     Protocol::none,
     {kTemp,
      "too many login attempts in a short time: the provider refuses logins temporarily, "
      "whatever the password",
      "wait a while (minutes to an hour) before trying again; the settings need no change",
      "support.google.com/a/answer/3726730: '454 4.7.0 Too many login attempts, please try "
      "again later.'"}},
    {Provider::unknown,
     Stage::send,
     "sending limit exceeded",
     Login::any,
     Account::any,
     Protocol::none,
     {kDelivery, "the account reached its daily sending limit",
      "wait up to 24 hours; the limit resets on its own",
      "support.google.com/a/answer/3726730: '550 5.4.5 Daily user sending limit exceeded.'"}},
    {Provider::gmail,
     Stage::auth,
     "",
     Login::password,
     Account::any,
     Protocol::none,
     {kAuth, "Google refused the user name or password",
      "with 2-Step Verification use an app password (myaccount.google.com/apppasswords); "
      "without it Google requires OAuth2 (--oauth2-token-cmd)",
      "support.google.com/accounts/answer/185833; '535-5.7.8 Username and Password not "
      "accepted'"}},
    // ---- Yahoo, AOL --------------------------------------------------------------------------
    {Provider::unknown,
     Stage::auth,
     "Too many bad auth attempts",
     Login::any,
     Account::any,
     Protocol::none,
     {kTemp, "too many failed logins: the provider blocks logins from here temporarily",
      "wait before retrying; Yahoo and AOL need an app password for mail apps",
      "senders.yahooinc.com/smtp-error-codes: '535 5.7.0 (#AUTH005) Too many bad auth "
      "attempts.'"}},
    {Provider::yahoo,
     Stage::auth,
     "",
     Login::password,
     Account::any,
     Protocol::none,
     {kAuth, "Yahoo refused the login; it accepts only app passwords from mail apps",
      "generate an app password (Account security > Generate app password) and use it",
      "help.yahoo.com/kb/SLN15241.html"}},
    {Provider::aol,
     Stage::auth,
     "",
     Login::password,
     Account::any,
     Protocol::none,
     {kAuth, "AOL refused the login; it accepts only app passwords from mail apps",
      "generate an app password in the AOL account's security settings and use it",
      "help.aol.com/articles/Create-and-manage-app-password"}},
    // ---- iCloud, Fastmail ---------------------------------------------------------------------
    {Provider::icloud,
     Stage::auth,
     "",
     Login::password,
     Account::any,
     Protocol::none,
     {kAuth, "iCloud refused the login; mail apps need an app-specific password",
      "create an app-specific password at account.apple.com and use it (user name: the "
      "iCloud address)",
      "support.apple.com/102654"}},
    {Provider::fastmail,
     Stage::auth,
     "",
     Login::password,
     Account::any,
     Protocol::none,
     {kAuth, "Fastmail refused the login; mail apps need an app password",
      "create an app password (Settings > Privacy & Security > App passwords) and use it",
      "fastmail.help/hc/en-us/articles/360058752854"}},
    // ---- any server -----------------------------------------------------------------------
    {Provider::unknown,
     Stage::any,
     "POP3 is not enabled",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy, "POP3 access is switched off for this account",
      "enable POP in the account's settings (or by the admin)", "common server text"}},
    {Provider::unknown,
     Stage::any,
     "POP is not enabled",
     Login::any,
     Account::any,
     Protocol::none,
     {kPolicy, "POP3 access is switched off for this account",
      "enable POP in the account's settings (or by the admin)", "common server text"}},
};

constexpr std::string_view kConsumerDomains[] = {"outlook.", "hotmail.",     "live.",
                                                 "msn.com",  "passport.com", "windowslive.com"};

bool host_matches(std::string_view host, std::string_view suffix) {
  if (host.size() < suffix.size()) return false;
  if (!iequals(host.substr(host.size() - suffix.size()), suffix)) return false;
  return host.size() == suffix.size() || host[host.size() - suffix.size() - 1] == '.';
}

// Exchange's "* OK The Microsoft Exchange IMAP4 service is ready. [TQBOADIA...]": the bracket
// holds the server's name in UTF-16LE, base64-encoded. Returns the greeting with it decoded.
std::string decoded_greeting(std::string_view greeting) {
  std::string out(greeting);
  const std::size_t open = greeting.rfind('[');
  const std::size_t close = greeting.rfind(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return out;
  const auto bytes = base64_decode(greeting.substr(open + 1, close - open - 1));
  if (!bytes) return out;
  out += " ";
  for (char c : *bytes)
    if (c != '\0') out += c;
  return out;
}

}  // namespace

std::string_view provider_name(Provider p) {
  switch (p) {
    case Provider::unknown:
      return "unknown";
    case Provider::microsoft:
      return "Microsoft 365 / Outlook.com";
    case Provider::exchange:
      return "Microsoft Exchange";
    case Provider::gmail:
      return "Gmail";
    case Provider::yahoo:
      return "Yahoo";
    case Provider::icloud:
      return "iCloud";
    case Provider::aol:
      return "AOL";
    case Provider::fastmail:
      return "Fastmail";
    case Provider::zoho:
      return "Zoho";
  }
  return "unknown";
}

Provider recognise_provider(const ServerFacts& facts) {
  const std::string greeting = decoded_greeting(facts.greeting);
  for (const Sign& s : kSigns) {
    switch (s.where) {
      case Where::host:
        if (host_matches(facts.host, s.text)) return s.provider;
        break;
      case Where::greeting:
        if (icontains(greeting, s.text)) return s.provider;
        break;
      case Where::certificate:
        if (icontains(facts.certificate, s.text)) return s.provider;
        break;
    }
  }
  return Provider::unknown;
}

bool microsoft_consumer_address(std::string_view email) {
  const std::size_t at = email.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view domain = email.substr(at + 1);
  for (std::string_view d : kConsumerDomains)
    if (istarts_with(domain, d)) return true;
  return false;
}

std::optional<KnownRefusal> known_refusal(Provider provider, const Error& error, bool password,
                                          bool consumer) {
  const Stage stage = stage_of(error.kind);
  const bool temporary = error.signal.temporary();
  for (const Rule& r : kRules) {
    if (r.provider != Provider::unknown && r.provider != provider) continue;
    if (r.stage != Stage::any && r.stage != stage) continue;
    if (r.login == Login::password && !password) continue;
    if (r.account == Account::consumer && !consumer) continue;
    if (r.account == Account::work && consumer) continue;
    if (r.protocol != Protocol::none && r.protocol != error.protocol) continue;
    if (temporary && r.refusal.category != Category::temporary) continue;
    if (!r.words.empty() && !icontains(error.server_says, r.words) &&
        !icontains(error.signal.alert, r.words))
      continue;
    return r.refusal;
  }
  return std::nullopt;
}

}  // namespace mv
