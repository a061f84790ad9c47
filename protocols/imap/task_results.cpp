// SPDX-License-Identifier: Apache-2.0
#include "protocols/imap/task_results.hpp"

#include "core/error.hpp"
#include "protocols/common/ascii.hpp"

namespace mv {

std::string_view imap_task_name(ImapTask t) {
  switch (t) {
    case ImapTask::none:
      return "none";
    case ImapTask::search:
      return "search";
    case ImapTask::fetch_message:
      return "fetch_message";
    case ImapTask::fetch_flags:
      return "fetch_flags";
    case ImapTask::store:
      return "store";
    case ImapTask::noop:
      return "noop";
    case ImapTask::list:
      return "list";
    case ImapTask::delete_uid:
      return "delete_uid";
    case ImapTask::move:
      return "move";
    case ImapTask::idle:
      return "idle";
    case ImapTask::logout:
      return "logout";
  }
  return "unknown";
}

bool ImapFolder::has_attribute(std::string_view attr) const {
  for (const auto& a : attributes) {
    if (iequals(a, attr)) return true;
  }
  return false;
}

const ImapFolder* ImapFolderList::special_use(std::string_view attr) const {
  for (const auto& f : folders) {
    if (f.has_attribute(attr)) return &f;
  }
  return nullptr;
}

// ---- every task ----

void ImapTaskResults::begin(ImapTask task, std::uint32_t uid) {
  status_ = ImapTaskStatus{};
  status_.task = task;
  uid_ = uid;
}

const ImapTaskStatus& ImapTaskResults::finish(const ImapResponse& tagged) {
  status_.finished = true;
  status_.ok = tagged.status == ImapStatus::ok;
  status_.server_says = sanitize_server_text(imap_status_text(tagged));
  status_.code = tagged.code ? tagged.code->name : std::string();
  return status_;
}

// ---- UID SEARCH ----

void ImapTaskResults::start_search() {
  search_.clear();
  search_truncated_ = false;
}

void ImapTaskResults::on_search(const std::vector<std::uint32_t>& uids) {
  for (std::uint32_t uid : uids) {
    if (search_.size() >= limits_.max_search_results) {
      search_truncated_ = true;
      break;
    }
    search_.push_back(uid);
  }
}

std::string ImapTaskResults::search_facts() const {
  return std::to_string(search_.size()) + " match" + (search_.size() == 1 ? "" : "es") +
         (search_truncated_ ? " (truncated)" : "");
}

// ---- UID FETCH of one message ----

void ImapTaskResults::start_fetch(std::uint32_t uid) {
  fetched_ = ImapFetchedMessage{};
  fetched_.uid = uid;
  fetching_ = true;
  scanned_.reset();
}

void ImapTaskResults::on_fetch(std::uint32_t seq, std::optional<std::uint32_t> uid,
                               const ImapFetch& fetch) {
  if (fetching_ && uid && *uid == fetched_.uid) {
    fetched_.seq = seq;
    if (fetch.flags) fetched_.flags = *fetch.flags;
    if (fetch.internaldate) fetched_.internaldate = *fetch.internaldate;
    if (fetch.rfc822_size) fetched_.rfc822_size = fetch.rfc822_size;
    if (!fetch.body_items.empty() && scanned_ && scanned_seq_ == seq) {
      fetched_.found = true;
      fetched_.message = std::move(*scanned_);
    }
  }
  scanned_.reset();
}

void ImapTaskResults::end_fetch() {
  fetch_status_ = status_;
  fetching_ = false;
}

std::string ImapTaskResults::fetch_facts() const {
  if (!fetched_.found) return "uid " + std::to_string(fetched_.uid) + " not returned";
  return "uid " + std::to_string(fetched_.uid) + ", " + std::to_string(fetched_.message.bytes) +
         " bytes, token " + (fetched_.message.token ? "present" : "missing");
}

// Only the body of the message being fetched is scanned; other literals are dropped.
void ImapTaskResults::literal_begin(std::uint32_t seq, std::string_view item, std::uint64_t) {
  scanning_ = fetching_ && (iequals(item, "BODY[]") || iequals(item, "RFC822"));
  if (scanning_) {
    // Drops what an interrupted literal left.
    scanner_ = MessageScanner{
        MessageScanOptions{.wanted_token = {}, .max_field = limits_.max_scanned_field}};
    scanned_seq_ = seq;
  }
}

void ImapTaskResults::literal_data(std::string_view chunk) {
  if (scanning_) scanner_.update(chunk);
}

void ImapTaskResults::literal_end() {
  if (!scanning_) return;
  scanned_ = scanner_.finish();
  scanning_ = false;
}

// ---- LIST ----

void ImapTaskResults::start_list(bool special_use) {
  folders_ = ImapFolderList{};
  folders_.special_use_requested = special_use;
  listed_ = false;
}

void ImapTaskResults::on_list(const ImapListEntry& entry, bool utf8) {
  if (folders_.folders.size() >= limits_.max_folders) {
    folders_.truncated = true;
    return;
  }
  folders_.utf8 = utf8;
  folders_.folders.push_back(ImapFolder{entry.name, entry.separator, entry.attributes});
}

std::string ImapTaskResults::list_facts() const {
  return std::to_string(folders_.folders.size()) + " folders" +
         (folders_.truncated ? " (truncated)" : "");
}

// ---- removal ----

void ImapTaskResults::start_removal(std::uint32_t uid) {
  uid_ = uid;
  delete_outcome_ = ImapDeleteOutcome::none;
}

void ImapTaskResults::on_delete_store(bool ok, bool expunge_follows) {
  if (expunge_follows) {
    store_ok_ = ok;
    return;
  }
  delete_outcome_ = ok ? ImapDeleteOutcome::flagged_only : ImapDeleteOutcome::failed;
}

void ImapTaskResults::on_expunge(bool ok) {
  delete_outcome_ = ok && store_ok_ ? ImapDeleteOutcome::expunged : ImapDeleteOutcome::failed;
}

void ImapTaskResults::on_move(bool ok) {
  delete_outcome_ = ok ? ImapDeleteOutcome::moved : ImapDeleteOutcome::failed;
}

}  // namespace mv
