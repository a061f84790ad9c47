// SPDX-License-Identifier: Apache-2.0
// Removing the run's own test message over IMAP, with each provider's rules: Gmail (X-GM-EXT-1)
// moves it to Trash (an expunge would only archive it into All Mail), a server with UIDPLUS gets
// STORE \Deleted + UID EXPUNGE of that UID alone, one without only flags it (a plain EXPUNGE
// could take other messages the user flagged). Only the UID this run's token found is touched.
#pragma once

#include <cstdint>
#include <string>

#include "engine/imap_link.hpp"

namespace mv {

// Gone from the folder, or flagged \Deleted where the server lacks UIDPLUS (reported apart).
bool removed(ImapDeleteOutcome outcome);
// Starts removing uid from the link's mailbox: UID MOVE to `trash` when given (Gmail), else
// STORE \Deleted with UID EXPUNGE behind it.
bool start_removal(ImapLink& link, std::uint32_t uid, const std::string& trash);
// The Trash folder's name: from the folder map, else from a LIST of its own; empty when the
// server has none.
Task<std::string> trash_folder(ImapContext& ctx);
// Removes uid from INBOX (session A) by the provider's rule and reports it. With logout, the
// LOGOUT goes out behind the removal, in the same flight.
Task<Error> cleanup(ImapContext& ctx, std::uint32_t uid, bool logout = false);
// What removing uid from INBOX did, in the report (trash: where Gmail's removal moved it).
void report_removal(ImapContext& ctx, std::uint32_t uid, const std::string& trash);

}  // namespace mv
