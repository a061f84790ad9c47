// SPDX-License-Identifier: Apache-2.0
// What a settings document (Thunderbird autoconfig, Microsoft Autodiscover) says about one mail
// server, after the checks every such document needs: placeholders in the login filled from the
// address (%EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN%), the host name lower case and a
// plain DNS name (a document is untrusted input: no spaces, URLs or control characters reach a
// connect), the port a number 1..65535.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/tls_mode.hpp"

namespace mv {

struct DiscoveredServer {
  std::string protocol;  // "imap", "pop3" or "smtp"
  std::string host;      // lower case, no trailing dot
  unsigned port = 0;
  TlsMode tls = TlsMode::implicit;
  std::string username;           // placeholders filled; empty: the document names none
  std::vector<std::string> auth;  // the document's words, in its order
};

// Replaces %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% (any case) with the address's
// parts; other text, other placeholders included, is kept as it is.
std::string fill_placeholders(std::string_view text, std::string_view email);

// A host name as a document gives it, trimmed, lower case, without a trailing dot; nullopt
// unless it is a DNS name of letters, digits, '-' and '_' in labels of 1..63 (253 in all).
std::optional<std::string> normalize_host(std::string_view text);

// Sets s.host and s.port from the document's words for them; false, with a note naming the entry
// (what) and the word that is wrong, when either is not usable.
bool set_host_port(DiscoveredServer& s, std::string_view host, std::string_view port,
                   const std::string& what, std::vector<std::string>& notes);

// A decimal port 1..65535 (white space around it allowed), else nullopt.
std::optional<unsigned> parse_port(std::string_view text);

// The domain of an address (after the last '@'), lower case; empty when there is no '@'.
std::string email_domain(std::string_view email);

}  // namespace mv
