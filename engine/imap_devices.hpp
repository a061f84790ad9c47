// SPDX-License-Identifier: Apache-2.0
// The IMAP read-back's "check across devices": a second session (the second device) marks the
// test message read; the first must then see \Seen. A failure to sync is a warning, not an error.
#pragma once

#include <cstdint>

#include "engine/imap_link.hpp"

namespace mv {

// b: the second device's session, on the pump and logged in (or logging in); it is logged out and
// off the pump when this returns.
Task<Error> check_devices(ImapContext& ctx, ImapLink& b, std::uint32_t uid);

}  // namespace mv
