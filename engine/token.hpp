// SPDX-License-Identifier: Apache-2.0
// Per-run randomness: the token that tags the test message and the seeds protocol clients use for
// unpredictable IMAP tags. From the kernel's CSPRNG (getrandom), never from the clock.
#pragma once

#include <cstdint>
#include <string>

namespace mv {

// n characters of [A-Za-z0-9]; empty when the kernel gives no randomness (the run then stops
// with an error: a guessable token could match someone else's mail).
std::string random_token(std::size_t n = 20);
// 0 when the kernel gives no randomness (only IMAP tags use it; the token's failure ends the run).
std::uint64_t random_u64();

}  // namespace mv
