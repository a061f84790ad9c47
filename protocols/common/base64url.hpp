// SPDX-License-Identifier: Apache-2.0
// Base64url without padding (RFC 4648 section 5, as RFC 7636 and JWTs use it), over the strict
// base64 codec of base64.hpp. Decoding accepts input with or without '=' padding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mv {

std::string base64url_encode(std::string_view data);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace mv
