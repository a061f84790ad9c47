// SPDX-License-Identifier: Apache-2.0
// Microsoft Autodiscover, the "POX" form Outlook uses (request schema outlook/requestschema/2006,
// response schema outlook/responseschema/2006a): the request body that asks for an address's
// settings (it carries the address only: Autodiscover asks for credentials with a 401, and
// discovery never sends them), and the response: Account settings with Protocol entries of Type
// IMAP, POP3 and SMTP (Server, Port, SSL, Encryption, LoginName, SPA, AuthRequired) in the
// document's order; EXCH/EXPR/WEB and other Exchange-only types, which this tool does not check
// (said so in a note); the redirectAddr and redirectUrl actions; an Error response with its code
// and message. Whole-document, over the bounded XML reader; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "protocols/autoconfig/discovered_server.hpp"

namespace mv {

inline constexpr std::string_view kAutodiscoverResponseSchema =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

// The POST body (Content-Type text/xml) asking for this address's settings.
std::string autodiscover_request(std::string_view email);

struct AutodiscoverAnswer {
  enum class Action { settings, redirect_address, redirect_url, error };
  Action action = Action::settings;
  std::vector<DiscoveredServer> servers;   // IMAP, POP3, SMTP, in the document's order
  std::vector<std::string> exchange_only;  // the Exchange-only protocol types it named ("EXCH")
  std::string redirect;                    // the address (redirectAddr) or URL (redirectUrl)
  std::string error_code, error_message;   // Action::error: the service's own words
  std::vector<std::string> notes;          // entries skipped and why, defaults taken
};

// The answer, or nullopt with error set: the XML reader's "xml.*" errors, or "discover.document"
// when it is no Autodiscover response of the outlook schema.
std::optional<AutodiscoverAnswer> parse_autodiscover_response(
    std::string_view document, Error& error, const Limits& limits = kDefaultLimits);

}  // namespace mv
