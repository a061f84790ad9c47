// SPDX-License-Identifier: Apache-2.0
#include "tools/option_values.hpp"

#include "protocols/common/sasl.hpp"
#include "protocols/common/tls_mode.hpp"
#include "tools/presets.hpp"

namespace mv::tool {

std::vector<std::string> option_values(std::string_view option) {
  if (option == "smtp-tls" || option == "imap-tls" || option == "pop3-tls") {
    std::vector<std::string> modes;
    for (TlsMode m : {TlsMode::starttls, TlsMode::implicit, TlsMode::none})
      modes.emplace_back(tls_mode_name(m));
    return modes;
  }
  if (option == "receive") return {"imap", "pop3"};
  if (option == "check") return {"devices,folders", "devices", "folders", "none"};
  if (option == "stop-after") return {"connect", "tls", "auth"};
  if (option == "color") return {"auto", "always", "never"};
  if (option == "oauth2-flow") return {"auto", "device", "browser"};
  if (option == "oauth2-provider") return {"microsoft", "google", "custom"};
  if (option == "auth") {
    std::vector<std::string> names;
    for (Mechanism m : {Mechanism::plain, Mechanism::login, Mechanism::cram_md5, Mechanism::xoauth2,
                        Mechanism::oauthbearer})
      names.emplace_back(mechanism_name(m));
    return names;
  }
  if (option == "provider") {
    std::vector<std::string> names;
    for (const ProviderPreset& p : all_presets())
      names.emplace_back(p.name);
    names.emplace_back("none");
    return names;
  }
  return {};
}

}  // namespace mv::tool
