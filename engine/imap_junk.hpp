// SPDX-License-Identifier: Apache-2.0
// The message did not reach INBOX in time: before calling it lost, the IMAP read-back looks for
// it in the Junk folder (found there: "delivered to Junk", and removed like any test message).
#pragma once

#include "engine/imap_link.hpp"

namespace mv {

// The run's error: delivered to Junk, or not delivered.
Task<Error> not_delivered(ImapContext& ctx, const Expected& expected);

}  // namespace mv
