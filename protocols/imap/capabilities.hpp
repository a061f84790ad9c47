// SPDX-License-Identifier: Apache-2.0
// What an IMAP server says it can do (a CAPABILITY response or [CAPABILITY ...] code): every name
// as listed, and the ones the client acts on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/sasl.hpp"

namespace mv {

struct ImapCapabilities {
  std::vector<std::string> names;  // every capability, upper-cased, as listed
  std::vector<Mechanism> auth;     // AUTH=x we implement
  bool imap4rev1 = false, imap4rev2 = false, starttls = false, logindisabled = false,
       sasl_ir = false, literal_plus = false, literal_minus = false, idle = false, uidplus = false,
       move = false, special_use = false, list_extended = false, namespace_ = false,
       utf8_accept = false;  // UTF8=ACCEPT (or UTF8=ONLY, which implies it; RFC 6855 3)
  bool has(std::string_view name) const;  // case-insensitive
};

// The capabilities a list of names announces (the caller bounds the list).
ImapCapabilities parse_imap_capabilities(const std::vector<std::string>& names);

}  // namespace mv
