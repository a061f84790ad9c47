// SPDX-License-Identifier: Apache-2.0
// How a connection gets its TLS: from the first byte (implicit, RFC 8314), by upgrading a
// plaintext session (STARTTLS/STLS), or not at all (only with the user's explicit consent).
#pragma once

#include <optional>
#include <string_view>

namespace mv {

enum class TlsMode { implicit, starttls, none };

std::string_view tls_mode_name(TlsMode m);  // "implicit", "starttls", "none"
std::optional<TlsMode> tls_mode_from_name(std::string_view name);

}  // namespace mv
