// SPDX-License-Identifier: Apache-2.0
// The IMAP read-back's folder checks: the roles of the folders (LIST: Sent, Drafts, Trash, Junk)
// and whether the server files a copy of mail submitted over SMTP in Sent, looked for over a
// session of its own; and a look for the token in another folder, which the Sent and the Junk
// checks share.
#pragma once

#include <memory>
#include <string>

#include "engine/imap_link.hpp"

namespace mv {

// Maps the folder roles (into ctx.folders) and reports them; no LIST when A's login flight
// already listed them.
Task<Error> check_folders(ImapContext& ctx);

// The Sent folder's own session (it resumes A's TLS session), from the folders A listed, on the
// pump; nullptr when there is no Sent folder or the message is not the mailbox owner's own.
std::unique_ptr<ImapLink> open_sent(ImapContext& ctx);

// What a look into another folder found.
struct FolderLook {
  bool found = false;
  bool removed = false;  // found, and removed (cleanup on)
  Error error;           // the look itself failed (login, SELECT, SEARCH)
};

// Looks for the token in another folder over a session of its own (on the pump already; it
// resumes A's TLS session); removes what it finds when cleanup is on (the LOGOUT behind the
// removal), then logs out. trash: where a removal moves the message on Gmail (see
// imap_cleanup.hpp); empty: STORE + EXPUNGE. linger: the LOGOUT is left on its way and the
// session on the pump (the caller collects it), so the next step need not wait for its reply.
Task<FolderLook> look_in(ImapContext& ctx, ImapLink& link, const std::string& token,
                         const std::string& trash, bool linger = false);

// Whether the server files a copy of mail submitted over SMTP in the Sent folder (Gmail and
// Exchange do, Postfix + Dovecot do not): a client must then not save its own copy, or every
// sent message is there twice. The copy is this run's and is removed like the one in INBOX.
Task<void> check_sent_copy(ImapContext& ctx, ImapLink& link, const std::string& token);

}  // namespace mv
