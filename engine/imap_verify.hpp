// SPDX-License-Identifier: Apache-2.0
// The IMAP read-back's verification: the message the token found is fetched and its token header
// and body digest compared with what was sent ("imap.verify"); a rewritten Message-ID is noted.
#pragma once

#include <cstdint>

#include "engine/imap_link.hpp"

namespace mv {

// Fetches uid on session A and verifies it.
Task<Error> verify(ImapContext& ctx, std::uint32_t uid, const Expected& expected);
// The fetch, the removal and the LOGOUT in one flight (ImapClient::fetch_remove_logout), when no
// check needs the message or the session after the fetch: the uid is the one this run's token
// header found, so nothing else can be removed. The result does not wait for more than the
// LOGOUT's reply, which comes in the same flight's answers.
Task<Error> verify_remove_logout(ImapContext& ctx, std::uint32_t uid, const Expected& expected);

}  // namespace mv
