// SPDX-License-Identifier: Apache-2.0
#include "protocols/oauth2/pkce.hpp"

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "protocols/common/base64url.hpp"

namespace mv {

std::string pkce_challenge(std::string_view verifier) {
  unsigned char digest[32];
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
  mbedtls_sha256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest,
                 0);
#else
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(),
                     digest, 0);
#endif
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

Pkce make_pkce(const std::array<std::uint8_t, 32>& random) {
  Pkce p;
  p.verifier = base64url_encode(
      std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
  p.challenge = pkce_challenge(p.verifier);
  return p;
}

}  // namespace mv
