// SPDX-License-Identifier: Apache-2.0
#include "tools/presets.hpp"
#include "protocols/common/ascii.hpp"

#include <array>
#include <cctype>

namespace mv::tool {

namespace {

using namespace std::string_view_literals;

constexpr std::array kMicrosoftDomains = {"hotmail.*"sv, "live.*"sv,          "outlook.*"sv,
                                          "msn.com"sv,   "windowslive.com"sv, "passport.com"sv};
constexpr std::array kGmailDomains = {"gmail.com"sv, "googlemail.com"sv};
constexpr std::array kYahooDomains = {"yahoo.*"sv, "ymail.com"sv, "rocketmail.com"sv};
constexpr std::array kIcloudDomains = {"icloud.com"sv, "me.com"sv, "mac.com"sv};
constexpr std::array kFastmailDomains = {"fastmail.com"sv, "fastmail.fm"sv,
                                         "fastmail.net"sv, "fastmail.org"sv,
                                         "fastmail.to"sv,  "messagingengine.com"sv};
constexpr std::array kAolDomains = {"aol.*"sv, "aim.com"sv};
constexpr std::array kGmxComDomains = {"gmx.com"sv, "gmx.us"sv, "gmx.co.uk"sv, "gmx.fr"sv,
                                       "gmx.es"sv};
constexpr std::array kGmxNetDomains = {"gmx.de"sv, "gmx.net"sv, "gmx.at"sv, "gmx.ch"sv};
constexpr std::array kZohoDomains = {"zoho.com"sv, "zohomail.com"sv};

constexpr ServerPreset implicit(std::string_view host, unsigned port) {
  return {host, port, TlsMode::implicit};
}
constexpr ServerPreset starttls(std::string_view host, unsigned port) {
  return {host, port, TlsMode::starttls};
}

const std::array kPresets = {
    ProviderPreset{"microsoft",
                   "Microsoft consumer (Outlook.com, Hotmail, Live, MSN)",
                   kMicrosoftDomains,
                   starttls("smtp-mail.outlook.com", 587),
                   {},
                   implicit("outlook.office365.com", 993),
                   implicit("outlook.office365.com", 995),
                   true,
                   "Microsoft accepts only OAuth2 for these accounts since 2024-09-16: use "
                   "--oauth2-login or --oauth2-token-cmd (passwords, app passwords refused)"},
    ProviderPreset{"office365",
                   "Microsoft 365 / Exchange Online (work and school accounts)",
                   {},
                   starttls("smtp.office365.com", 587),
                   {},
                   implicit("outlook.office365.com", 993),
                   implicit("outlook.office365.com", 995),
                   false,
                   "basic authentication is off in most tenants: use --oauth2-login or "
                   "--oauth2-token-cmd; SMTP AUTH must be enabled for the mailbox"},
    ProviderPreset{"gmail", "Google Gmail", kGmailDomains, starttls("smtp.gmail.com", 587),
                   implicit("smtp.gmail.com", 465), implicit("imap.gmail.com", 993),
                   implicit("pop.gmail.com", 995), false,
                   "needs an app password (with 2-Step Verification) or OAuth2 (--oauth2-login)"},
    ProviderPreset{"yahoo", "Yahoo Mail", kYahooDomains, implicit("smtp.mail.yahoo.com", 465),
                   starttls("smtp.mail.yahoo.com", 587), implicit("imap.mail.yahoo.com", 993),
                   implicit("pop.mail.yahoo.com", 995), false,
                   "needs an app password from the account's security settings"},
    ProviderPreset{"icloud",
                   "Apple iCloud Mail",
                   kIcloudDomains,
                   starttls("smtp.mail.me.com", 587),
                   {},
                   implicit("imap.mail.me.com", 993),
                   {},
                   false,
                   "needs an app-specific password; iCloud offers no POP3"},
    ProviderPreset{"fastmail", "Fastmail", kFastmailDomains, implicit("smtp.fastmail.com", 465),
                   starttls("smtp.fastmail.com", 587), implicit("imap.fastmail.com", 993),
                   implicit("pop.fastmail.com", 995), false,
                   "needs an app password (Settings > Privacy & Security)"},
    ProviderPreset{"aol", "AOL Mail", kAolDomains, implicit("smtp.aol.com", 465),
                   starttls("smtp.aol.com", 587), implicit("imap.aol.com", 993),
                   implicit("pop.aol.com", 995), false,
                   "needs an app password from the account's security settings"},
    ProviderPreset{"gmx",
                   "GMX (gmx.com)",
                   kGmxComDomains,
                   starttls("mail.gmx.com", 587),
                   {},
                   implicit("imap.gmx.com", 993),
                   implicit("pop.gmx.com", 995),
                   false,
                   "IMAP/POP3 access must be switched on in the GMX settings"},
    ProviderPreset{"gmx.net",
                   "GMX (gmx.de, gmx.net, gmx.at, gmx.ch)",
                   kGmxNetDomains,
                   starttls("mail.gmx.net", 587),
                   {},
                   implicit("imap.gmx.net", 993),
                   implicit("pop.gmx.net", 995),
                   false,
                   "IMAP/POP3 access must be switched on in the GMX settings"},
    ProviderPreset{"zoho", "Zoho Mail", kZohoDomains, implicit("smtp.zoho.com", 465),
                   starttls("smtp.zoho.com", 587), implicit("imap.zoho.com", 993),
                   implicit("pop.zoho.com", 995), false,
                   "IMAP/POP access must be enabled in Zoho's settings; EU accounts use "
                   "*.zoho.eu (override with --host)"},
};

struct LegacyHost {
  std::string_view old_name;
  std::string_view current;
};

constexpr std::array kLegacyHosts = {
    LegacyHost{"imap-mail.outlook.com", "outlook.office365.com"},
    LegacyHost{"pop-mail.outlook.com", "outlook.office365.com"},
    LegacyHost{"imap.live.com", "outlook.office365.com"},
    LegacyHost{"pop3.live.com", "outlook.office365.com"},
    LegacyHost{"smtp.live.com", "smtp-mail.outlook.com"},
    LegacyHost{"smtp.hotmail.com", "smtp-mail.outlook.com"},
};

// A country-style suffix: one or two labels of 2 or 3 letters ("com", "fr", "co.uk", "com.au").
bool country_suffix(std::string_view s) {
  int labels = 0;
  while (!s.empty()) {
    std::size_t dot = s.find('.');
    std::string_view label = s.substr(0, dot);
    if (label.size() < 2 || label.size() > 3) return false;
    for (unsigned char c : label)
      if (!std::isalpha(c)) return false;
    if (++labels > 2) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
  return false;  // empty, or a trailing dot
}

}  // namespace

std::span<const ProviderPreset> all_presets() {
  return kPresets;
}

const ProviderPreset* preset_by_name(std::string_view name) {
  for (const ProviderPreset& p : kPresets)
    if (iequals(p.name, name)) return &p;
  return nullptr;
}

bool domain_matches(std::string_view pattern, std::string_view domain) {
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == ".*") {
    std::string_view stem = pattern.substr(0, pattern.size() - 1);  // "live."
    return domain.size() > stem.size() && iequals(domain.substr(0, stem.size()), stem) &&
           country_suffix(domain.substr(stem.size()));
  }
  return iequals(pattern, domain);
}

const ProviderPreset* preset_for_email(std::string_view email) {
  std::size_t at = email.rfind('@');
  std::string_view domain = at == std::string_view::npos ? email : email.substr(at + 1);
  while (!domain.empty() && domain.back() == '.')
    domain.remove_suffix(1);
  if (domain.empty()) return nullptr;
  for (const ProviderPreset& p : kPresets)
    for (std::string_view pattern : p.domains)
      if (domain_matches(pattern, domain)) return &p;
  return nullptr;
}

std::optional<std::string_view> current_name_of_legacy_host(std::string_view host) {
  while (!host.empty() && host.back() == '.')
    host.remove_suffix(1);
  for (const LegacyHost& l : kLegacyHosts)
    if (iequals(l.old_name, host)) return l.current;
  return std::nullopt;
}

}  // namespace mv::tool
