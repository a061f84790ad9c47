// SPDX-License-Identifier: Apache-2.0
// PKCE (RFC 7636) with the S256 method: the code verifier is base64url of 32 random bytes (43
// characters, within the 43..128 the RFC allows) and the challenge is base64url(SHA-256(verifier)),
// SHA-256 from mbedTLS. The random bytes are an input (the caller reads them from the system), so
// the pair is reproducible in tests. The same helper makes the "state" value of the redirect.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mv {

struct Pkce {
  std::string verifier;
  std::string challenge;  // method S256
};

Pkce make_pkce(const std::array<std::uint8_t, 32>& random);
std::string pkce_challenge(std::string_view verifier);

}  // namespace mv
