// SPDX-License-Identifier: Apache-2.0
#include "protocols/imap/mailbox_tracker.hpp"

#include "protocols/common/digits.hpp"

namespace mv {

void ImapMailboxTracker::open(std::string name, bool read_only) {
  mailbox_ = ImapMailbox{};
  mailbox_.name = std::move(name);
  mailbox_.read_only = read_only;
}

void ImapMailboxTracker::forget() {
  mailbox_ = ImapMailbox{};
  flags_by_uid_.clear();
  seq_to_uid_.clear();
}

bool ImapMailboxTracker::on_untagged(const ImapResponse& r) {
  const std::string& kw = r.keyword;
  const std::uint32_t n = r.number.value_or(0);
  if (kw == "EXISTS") {
    mailbox_.exists = n;
  } else if (kw == "RECENT") {
    mailbox_.recent = n;
  } else if (kw == "EXPUNGE") {
    if (mailbox_.exists > 0) --mailbox_.exists;
    seq_to_uid_.clear();  // sequence numbers shifted
  } else if (kw == "FLAGS") {
    mailbox_.flags = r.atoms;
  } else {
    return false;
  }
  return true;
}

void ImapMailboxTracker::on_code(const ImapCode& code) {
  if (code.name == "UIDVALIDITY") {
    if (auto n = parse_digits<std::uint32_t>(code.args)) mailbox_.uidvalidity = n;
  } else if (code.name == "UIDNEXT") {
    if (auto n = parse_digits<std::uint32_t>(code.args)) mailbox_.uidnext = n;
  } else if (code.name == "PERMANENTFLAGS") {
    std::string_view a = code.args;
    if (!a.empty() && a.front() == '(') a.remove_prefix(1);
    if (!a.empty() && a.back() == ')') a.remove_suffix(1);
    bool truncated = false;
    mailbox_.permanent_flags = split_imap_atoms(a, limits_.max_capabilities, truncated);
  }
}

std::optional<std::uint32_t> ImapMailboxTracker::on_fetch(std::uint32_t seq,
                                                          const ImapFetch& fetch) {
  std::optional<std::uint32_t> uid = fetch.uid;
  if (uid) {
    if (seq_to_uid_.size() >= limits_.max_tracked_uids) seq_to_uid_.clear();
    seq_to_uid_[seq] = *uid;
  } else if (auto it = seq_to_uid_.find(seq); it != seq_to_uid_.end()) {
    uid = it->second;
  }
  if (uid && fetch.flags) {
    if (flags_by_uid_.size() >= limits_.max_tracked_uids && !flags_by_uid_.count(*uid)) {
      flags_by_uid_.erase(flags_by_uid_.begin());
    }
    flags_by_uid_[*uid] = *fetch.flags;
  }
  return uid;
}

const std::vector<std::string>* ImapMailboxTracker::flags_of(std::uint32_t uid) const {
  auto it = flags_by_uid_.find(uid);
  return it == flags_by_uid_.end() ? nullptr : &it->second;
}

}  // namespace mv
