// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/tls_mode.hpp"

#include "protocols/common/ascii.hpp"

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
  for (std::string_view w : {"implicit", "ssl", "ssl/tls", "tls/ssl", "implicit-tls"})
    if (iequals(name, w)) return TlsMode::implicit;
  for (std::string_view w : {"starttls", "explicit", "start-tls", "explicit-tls", "stls"})
    if (iequals(name, w)) return TlsMode::starttls;
  for (std::string_view w : {"none", "plain"})
    if (iequals(name, w)) return TlsMode::none;
  return std::nullopt;
}

bool tls_mode_ambiguous(std::string_view name) {
  return iequals(name, "tls");
}

std::optional<TlsMode> tls_mode_by_port(unsigned port) {
  switch (port) {
    case 465:
    case 993:
    case 995:
      return TlsMode::implicit;
    case 25:
    case 587:
    case 143:
    case 110:
      return TlsMode::starttls;
    default:
      return std::nullopt;
  }
}

}  // namespace mv
