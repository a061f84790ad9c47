// SPDX-License-Identifier: Apache-2.0
// How a connection gets its TLS: from the first byte (implicit, RFC 8314), by upgrading a
// plaintext session (STARTTLS/STLS), or not at all (only with the user's explicit consent).
#pragma once

#include <optional>
#include <string_view>

namespace mv {

enum class TlsMode { implicit, starttls, none };

std::string_view tls_mode_name(TlsMode m);  // "implicit", "starttls", "none"
// The words setup guides use, in any case: implicit, SSL, SSL/TLS, TLS/SSL = implicit TLS;
// starttls, explicit, STARTTLS = STARTTLS; none, plain = no TLS. A bare "TLS" is not taken here:
// guides use it for both (Outlook's dialogs say TLS for STARTTLS on 587); see tls_mode_by_port.
std::optional<TlsMode> tls_mode_from_name(std::string_view name);
// True for the ambiguous word "TLS" (any case).
bool tls_mode_ambiguous(std::string_view name);
// The mode a port's convention implies (RFC 8314 and the registered ports): 465/993/995
// implicit, 25/587/143/110 STARTTLS; nullopt for any other port.
std::optional<TlsMode> tls_mode_by_port(unsigned port);

}  // namespace mv
