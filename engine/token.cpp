// SPDX-License-Identifier: Apache-2.0
#include "engine/token.hpp"

#include <sys/random.h>

#include <cstring>

namespace mv {

namespace {
void fill_random(void* out, std::size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got <= 0) continue;  // EINTR; getrandom without GRND_NONBLOCK never fails otherwise
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}
}  // namespace

std::string random_token(std::size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(n, '0');
  unsigned char bytes[64];
  std::size_t done = 0;
  while (done < n) {
    fill_random(bytes, sizeof bytes);
    for (unsigned char b : bytes) {
      if (b >= 248) continue;  // 248 = 4 * 62: reject to keep the choice uniform
      out[done++] = kAlphabet[b % 62];
      if (done == n) break;
    }
  }
  return out;
}

std::uint64_t random_u64() {
  std::uint64_t v;
  fill_random(&v, sizeof v);
  return v;
}

}  // namespace mv
