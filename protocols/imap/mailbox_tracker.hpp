// SPDX-License-Identifier: Apache-2.0
// What the client knows of the selected IMAP mailbox, kept up to date from the server's data
// (RFC 9051 7.3, 7.4, 7.5): EXISTS, RECENT, EXPUNGE, FLAGS, the SELECT's UIDVALIDITY, UIDNEXT
// and PERMANENTFLAGS codes, and per UID the latest flags seen in any FETCH, solicited or not.
// Bounded: at most Limits::max_tracked_uids UIDs in the sequence-number and flags caches (past
// it, the sequence map starts over and the oldest UID's flags are dropped).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "protocols/imap/response.hpp"

namespace mv {

struct ImapMailbox {
  std::string name;
  bool read_only = false;
  std::uint32_t exists = 0;
  std::uint32_t recent = 0;
  std::optional<std::uint32_t> uidvalidity;
  std::optional<std::uint32_t> uidnext;
  std::vector<std::string> flags;
  std::vector<std::string> permanent_flags;
};

class ImapMailboxTracker {
 public:
  explicit ImapMailboxTracker(const Limits& limits) : limits_(limits) {}

  const ImapMailbox& mailbox() const { return mailbox_; }
  // A SELECT (or EXAMINE) of name starts: what was known of the mailbox is dropped.
  void open(std::string name, bool read_only);
  void mark_read_only() { mailbox_.read_only = true; }
  // Everything learnt so far is forgotten (it came in plaintext before STARTTLS).
  void forget();

  // Untagged EXISTS, RECENT, EXPUNGE and FLAGS; false for any other response.
  bool on_untagged(const ImapResponse& r);
  // UIDVALIDITY, UIDNEXT and PERMANENTFLAGS response codes; others are ignored.
  void on_code(const ImapCode& code);
  // A FETCH response: remembers its UID for its sequence number and its flags for its UID.
  // Returns the UID it is about (its own, or the one known for its sequence number).
  std::optional<std::uint32_t> on_fetch(std::uint32_t seq, const ImapFetch& fetch);

  // The latest flags seen for uid.
  const std::vector<std::string>* flags_of(std::uint32_t uid) const;

 private:
  Limits limits_;
  ImapMailbox mailbox_;
  std::map<std::uint32_t, std::vector<std::string>> flags_by_uid_;
  std::map<std::uint32_t, std::uint32_t> seq_to_uid_;
};

}  // namespace mv
