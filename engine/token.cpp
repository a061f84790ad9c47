// SPDX-License-Identifier: Apache-2.0
#include "engine/token.hpp"

#include <sys/random.h>

#include <cerrno>

namespace mv {

namespace {
// False when the kernel has no getrandom (ENOSYS: a seccomp filter or an old kernel) or refuses
// it; only an interrupted call is retried.
bool fill_random(void* out, std::size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    const ssize_t got = getrandom(p, n, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}
}  // namespace

std::string random_token(std::size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(n, '0');
  unsigned char bytes[64];
  std::size_t done = 0;
  while (done < n) {
    if (!fill_random(bytes, sizeof bytes)) return {};
    for (unsigned char b : bytes) {
      if (b >= 248) continue;  // 248 = 4 * 62: reject to keep the choice uniform
      out[done++] = kAlphabet[b % 62];
      if (done == n) break;
    }
  }
  return out;
}

std::uint64_t random_u64() {
  std::uint64_t v = 0;
  return fill_random(&v, sizeof v) ? v : 0;
}

}  // namespace mv
