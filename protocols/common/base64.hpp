// SPDX-License-Identifier: Apache-2.0
// Base64 (RFC 4648, standard alphabet, padded) for SASL exchanges, backed by mbedTLS. Decoding is
// strict: a server challenge that is not padded base64 without whitespace is refused, not guessed
// at.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mv {

std::string base64_encode(std::string_view data);
// nullopt when the input is not valid padded base64 (whitespace is not allowed). "" decodes to "".
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace mv
