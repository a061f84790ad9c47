// SPDX-License-Identifier: Apache-2.0
// Overwrites a secret's bytes before its memory is released (tokens, codes, verifiers), in a way
// the compiler may not drop as a dead store (mbedtls_platform_zeroize), then empties the string.
#pragma once

#include <string>

namespace mv {

void wipe(std::string& secret);

}  // namespace mv
