// SPDX-License-Identifier: Apache-2.0
#include "protocols/imap/capabilities.hpp"

#include <utility>

#include "protocols/common/ascii.hpp"

namespace mv {

bool ImapCapabilities::has(std::string_view name) const {
  const std::string u = ascii_upper(name);
  for (const auto& n : names) {
    if (n == u) return true;
  }
  return false;
}

ImapCapabilities parse_imap_capabilities(const std::vector<std::string>& names) {
  using Flag = bool ImapCapabilities::*;
  static constexpr std::pair<std::string_view, Flag> kFlags[] = {
      {"IMAP4REV1", &ImapCapabilities::imap4rev1},
      {"IMAP4REV2", &ImapCapabilities::imap4rev2},
      {"STARTTLS", &ImapCapabilities::starttls},
      {"LOGINDISABLED", &ImapCapabilities::logindisabled},
      {"SASL-IR", &ImapCapabilities::sasl_ir},
      {"LITERAL+", &ImapCapabilities::literal_plus},
      {"LITERAL-", &ImapCapabilities::literal_minus},
      {"IDLE", &ImapCapabilities::idle},
      {"UIDPLUS", &ImapCapabilities::uidplus},
      {"MOVE", &ImapCapabilities::move},
      {"SPECIAL-USE", &ImapCapabilities::special_use},
      {"LIST-EXTENDED", &ImapCapabilities::list_extended},
      {"NAMESPACE", &ImapCapabilities::namespace_},
      {"UTF8=ACCEPT", &ImapCapabilities::utf8_accept},
      {"UTF8=ONLY", &ImapCapabilities::utf8_accept},
  };
  ImapCapabilities caps;
  for (const auto& raw : names) {
    std::string n = ascii_upper(raw);
    for (const auto& [name, flag] : kFlags) {
      if (n == name) caps.*flag = true;
    }
    if (n.rfind("AUTH=", 0) == 0) {
      if (auto m = mechanism_from_name(std::string_view(n).substr(5))) caps.auth.push_back(*m);
    }
    caps.names.push_back(std::move(n));
  }
  return caps;
}

}  // namespace mv
