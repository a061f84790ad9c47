// SPDX-License-Identifier: Apache-2.0
// Provider presets: the published server settings of the big mail providers, found from the
// address's domain (--email me@live.com) or by name (--provider gmail). Pure data and lookup; the
// command line applies them under every explicit option. Also knows the retired host names of
// Microsoft's consumer service, so a stale setting is flagged with its current name.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "protocols/common/tls_mode.hpp"

namespace mv::tool {

struct ServerPreset {
  std::string_view host;
  unsigned port = 0;
  TlsMode tls = TlsMode::implicit;
  constexpr bool present() const { return !host.empty(); }
};

struct ProviderPreset {
  std::string_view name;     // what --provider takes: "microsoft", "gmail", ...
  std::string_view display;  // "Microsoft consumer (Outlook.com, Hotmail, Live, MSN)"
  // Address domains; "live.*" matches live. followed by a country suffix (live.fr, live.co.uk).
  std::span<const std::string_view> domains;
  ServerPreset smtp;
  ServerPreset smtp_alternative;  // a second published SMTP port, e.g. 465 next to 587
  ServerPreset imap;
  ServerPreset pop3;         // host empty: the provider offers no POP3
  bool oauth2_only = false;  // passwords are refused: only OAuth2 tokens log in
  std::string_view note;     // one line the user should know (app passwords, OAuth2 only, ...)
};

std::span<const ProviderPreset> all_presets();

// Case-insensitive; nullptr when no preset has this name.
const ProviderPreset* preset_by_name(std::string_view name);

// The preset whose domains cover the domain of this address (or of a bare domain); nullptr for
// unknown domains.
const ProviderPreset* preset_for_email(std::string_view email);

// True when the domain matches the pattern: exact (case-insensitive), or "name.*" matching name
// followed by a country-style suffix of one or two short alphabetic labels (com, fr, co.uk).
bool domain_matches(std::string_view pattern, std::string_view domain);

// The current name of a retired server host name (imap-mail.outlook.com → outlook.office365.com);
// nullopt when the name is not a known retired one.
std::optional<std::string_view> current_name_of_legacy_host(std::string_view host);

}  // namespace mv::tool
