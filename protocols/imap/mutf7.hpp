// SPDX-License-Identifier: Apache-2.0
// IMAP folder names as servers send them without UTF8=ACCEPT: modified UTF-7 (RFC 3501 5.1.3),
// e.g. "Gel&APY-schte Elemente" for "Gelöschte Elemente". Decoded to UTF-8 for display and for
// matching against known folder names; the raw name is still what SELECT takes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mv {

// nullopt when the name is not valid modified UTF-7 (a bad base64 run, an unpaired surrogate,
// an encoded printable ASCII character, raw 8-bit bytes).
std::optional<std::string> decode_mutf7(std::string_view name);

// The name for display and matching: decoded when it is modified UTF-7; a name that is valid
// UTF-8 but not modified UTF-7 (a server that sends UTF-8 unasked) is kept as it is. With utf8
// (the session enabled UTF8=ACCEPT, RFC 6855 3) names are UTF-8 and kept as sent: "&" stays "&".
std::string folder_display_name(std::string_view name, bool utf8);

}  // namespace mv
