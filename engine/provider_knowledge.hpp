// SPDX-License-Identifier: Apache-2.0
// What is publicly known of the big providers' servers, as data: how to recognise a provider from
// what its server shows (host name, greeting, certificate), whatever name the user typed and
// whether or not a preset applied, and what its refusals mean. One table of signs and one of
// rules, each row with the public source of its string, for a person to read and extend.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace mv {

enum class Provider { unknown, microsoft, exchange, gmail, yahoo, icloud, aol, fastmail, zoho };

std::string_view provider_name(Provider p);  // "Microsoft 365 / Outlook.com", "Gmail", ...

// What the server showed of itself.
struct ServerFacts {
  std::string host;         // the name typed (or preset): --resolve keeps it
  std::string greeting;     // the greeting's text ("220 ..." / "* OK ..." / "+OK ...")
  std::string certificate;  // the server certificate's subject
};

// The provider these facts show, by the first sign that matches; unknown when none does.
// Exchange's IMAP/POP3 greeting ends in "[base64 of the UTF-16 server name]": decoded, a name
// under outlook.com marks Exchange Online even behind a custom domain.
Provider recognise_provider(const ServerFacts& facts);

// A known refusal: what it means and what to do.
struct KnownRefusal {
  Category category;
  std::string_view cause;
  std::string_view fix;
  std::string_view source;  // where the provider documents the string
};

// The first rule that fits this error from this provider (rules for any server included); none
// when nothing is known. A rule that blames the account or a policy never matches a temporary
// refusal. `password` tells a password login from an OAuth2 one; `consumer` an address at one of
// Microsoft's consumer domains (outlook.com, hotmail.*, live.*, msn.com).
std::optional<KnownRefusal> known_refusal(Provider provider, const Error& error, bool password,
                                          bool consumer);

// An address at one of Microsoft's consumer domains.
bool microsoft_consumer_address(std::string_view email);

}  // namespace mv
