// SPDX-License-Identifier: Apache-2.0
// The IMAP read-back's arrival plan: the first look is a UID SEARCH for the token as soon as
// SMTP's 250 is in; then, while delivery is likely (the first seconds), short growing gaps, each
// ended by a NOOP with the UID SEARCH behind it in one flight; after that, when the server offers
// IDLE, IDLE slices (ended early by EXISTS, then a search), until the delivery timeout.
#pragma once

#include <cstdint>

#include "engine/imap_link.hpp"

namespace mv {

enum class ArrivalEnd {
  found,        // uid is the message's; "imap.arrival" is reported
  interrupted,  // a signal came and one last search found nothing
  timed_out,    // the delivery timeout passed
};

// Waits for the message in INBOX (session A). The Error is a failure of the session or a refused
// search; otherwise `end` says how the wait ended.
Task<Error> wait_for_arrival(ImapContext& ctx, const Expected& expected, RunResult& result,
                             std::uint32_t& uid, ArrivalEnd& end);

}  // namespace mv
