// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/tls_mode.hpp"

namespace mv {

std::string_view tls_mode_name(TlsMode m) {
  switch (m) {
    case TlsMode::implicit:
      return "implicit";
    case TlsMode::starttls:
      return "starttls";
    case TlsMode::none:
      return "none";
  }
  return "?";
}

std::optional<TlsMode> tls_mode_from_name(std::string_view name) {
  if (name == "implicit" || name == "ssl" || name == "tls") return TlsMode::implicit;
  if (name == "starttls") return TlsMode::starttls;
  if (name == "none" || name == "plain") return TlsMode::none;
  return std::nullopt;
}

}  // namespace mv
