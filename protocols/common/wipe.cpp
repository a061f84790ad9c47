// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/wipe.hpp"

#include <mbedtls/platform_util.h>

namespace mv {

void wipe(std::string& secret) {
  if (!secret.empty()) mbedtls_platform_zeroize(secret.data(), secret.size());
  secret.clear();
}

}  // namespace mv
