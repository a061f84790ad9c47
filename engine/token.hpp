// SPDX-License-Identifier: Apache-2.0
// Per-run randomness: the token that tags the test message and the seeds protocol clients use for
// unpredictable IMAP tags. From the kernel's CSPRNG (getrandom), never from the clock.
#pragma once

#include <cstdint>
#include <string>

namespace mv {

// n characters of [A-Za-z0-9].
std::string random_token(std::size_t n = 20);
std::uint64_t random_u64();

}  // namespace mv
