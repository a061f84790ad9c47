// SPDX-License-Identifier: Apache-2.0
// Absolute http(s) URLs (RFC 3986) as the HTTP client needs them: scheme, host (a name, an IPv4
// literal or a bracketed IPv6 literal, brackets removed; brackets anywhere else are refused),
// port (default 443 / 80) and the request target (path and query, "/" when empty). User info,
// fragments, spaces and control characters are refused: an endpoint URL from a provider's
// document or an option must be plain.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mv {

struct Url {
  bool https = true;
  std::string host;
  unsigned port = 443;
  std::string target = "/";

  // "https://host[:port]" as it would be written back (brackets for IPv6, default port omitted).
  std::string origin() const;
};

std::optional<Url> parse_url(std::string_view text);

}  // namespace mv
