// SPDX-License-Identifier: Apache-2.0
// What the IMAP client's tasks produce, and the small logic that fills it from the server's data:
// each task's status (its tagged reply's words and code), the UIDs of UID SEARCH (in server order,
// at most Limits::max_search_results; past it the rest is dropped and the answer is truncated),
// the one message of a UID FETCH (its BODY[] or RFC822 literal streamed through a MessageScanner:
// memory stays flat and any chunking gives the same ScannedMessage), the folders of LIST (at most
// Limits::max_folders) with NAMESPACE's personal prefix, and a removal's outcome. It sends nothing
// and knows no protocol state: the client (client.hpp) says which task starts and which of the
// server's responses belong to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"
#include "protocols/common/message_scanner.hpp"
#include "protocols/imap/response.hpp"

namespace mv {

enum class ImapTask {
  none,
  search,
  fetch_message,
  fetch_flags,
  store,
  noop,
  list,
  delete_uid,
  move,
  idle,
  logout
};
std::string_view imap_task_name(ImapTask t);

// The outcome of the last task: ok=false when the server said NO/BAD (the client stays usable).
struct ImapTaskStatus {
  ImapTask task = ImapTask::none;
  bool finished = false;
  bool ok = false;
  std::string server_says;  // tagged reply text, sanitised ("[CODE args] text" when coded)
  std::string code;         // response code name, e.g. "NONEXISTENT", empty when none
};

struct ImapFetchedMessage {
  bool found = false;  // the server returned the message (with UID and a body)
  std::uint32_t uid = 0;
  std::uint32_t seq = 0;
  ScannedMessage message;  // token, Message-ID, body digest, bytes
  std::optional<std::uint64_t> rfc822_size;
  std::vector<std::string> flags;
  std::string internaldate;
};

struct ImapFolder {
  std::string name;
  std::string separator;  // empty for NIL
  std::vector<std::string> attributes;
  bool has_attribute(std::string_view attr) const;  // case-insensitive, e.g. "\\Trash"
};

struct ImapFolderList {
  std::vector<ImapFolder> folders;
  bool truncated = false;
  bool special_use_requested = false;  // LIST ... RETURN (SPECIAL-USE) was used
  bool utf8 = false;                   // names are UTF-8 (UTF8=ACCEPT enabled), not modified UTF-7
  ImapNamespace personal;              // from NAMESPACE when it was asked
  // First folder with the attribute (e.g. "\\Sent", "\\Trash"), or nullptr.
  const ImapFolder* special_use(std::string_view attr) const;
};

enum class ImapDeleteOutcome { none, expunged, flagged_only, moved, failed };

class ImapTaskResults final : public LiteralSink {
 public:
  explicit ImapTaskResults(const Limits& limits) : limits_(limits) {}

  // ---- every task ----
  // A task starts, about uid when it names one: its status starts over.
  void begin(ImapTask task, std::uint32_t uid = 0);
  // Its tagged reply: ok or not, the server's words (sanitised) and code.
  const ImapTaskStatus& finish(const ImapResponse& tagged);
  const ImapTaskStatus& status() const { return status_; }
  std::uint32_t uid() const { return uid_; }

  // ---- UID SEARCH ----
  void start_search();
  // A SEARCH response's UIDs, kept up to Limits::max_search_results.
  void on_search(const std::vector<std::uint32_t>& uids);
  const std::vector<std::uint32_t>& search() const { return search_; }
  bool search_truncated() const { return search_truncated_; }
  std::string search_facts() const;  // "2 matches", "4096 matches (truncated)"

  // ---- UID FETCH of one message ----
  // From start_fetch(uid) to end_fetch() a BODY[] or RFC822 literal is scanned and the FETCH data
  // about uid fills fetched(); found once a FETCH response with a body names uid.
  void start_fetch(std::uint32_t uid);
  // A FETCH response for sequence number seq; uid is its own or the one known for seq (nullopt
  // when neither). Called for every FETCH response: a scanned body belongs to this one only.
  void on_fetch(std::uint32_t seq, std::optional<std::uint32_t> uid, const ImapFetch& fetch);
  // The fetch's tagged reply came (finish() first): its status stays in fetch_status() past the
  // commands pipelined behind it.
  void end_fetch();
  const ImapFetchedMessage& fetched() const { return fetched_; }
  const ImapTaskStatus& fetch_status() const { return fetch_status_; }
  std::string fetch_facts() const;  // "uid 9, 1234 bytes, token present", "uid 9 not returned"

  void literal_begin(std::uint32_t seq, std::string_view item, std::uint64_t size) override;
  void literal_data(std::string_view chunk) override;
  void literal_end() override;

  // ---- LIST (NAMESPACE before it) ----
  void start_list(bool special_use);
  // A LIST (or LSUB) response, kept up to Limits::max_folders; utf8: names are UTF-8.
  void on_list(const ImapListEntry& entry, bool utf8);
  void on_namespace(const ImapNamespace& ns) { folders_.personal = ns; }
  void end_list(bool ok) { listed_ = ok; }
  const ImapFolderList& folders() const { return folders_; }
  bool listed() const { return listed_; }  // folders() holds a successful LIST's answer
  std::string list_facts() const;          // "12 folders", "1024 folders (truncated)"

  // ---- removal: UID STORE \Deleted (+ UID EXPUNGE with UIDPLUS), or UID MOVE ----
  void start_removal(std::uint32_t uid);
  // The STORE of \Deleted; with expunge_follows (UIDPLUS) the UID EXPUNGE behind it decides.
  void on_delete_store(bool ok, bool expunge_follows);
  // UID EXPUNGE removes only a message flagged \Deleted: after a refused STORE, nothing.
  void on_expunge(bool ok);
  void on_move(bool ok);
  ImapDeleteOutcome delete_outcome() const { return delete_outcome_; }

 private:
  Limits limits_;
  ImapTaskStatus status_;
  std::uint32_t uid_ = 0;

  std::vector<std::uint32_t> search_;
  bool search_truncated_ = false;

  ImapFetchedMessage fetched_;
  ImapTaskStatus fetch_status_;
  bool fetching_ = false;
  MessageScanner scanner_;
  bool scanning_ = false;
  std::optional<ScannedMessage> scanned_;
  std::uint32_t scanned_seq_ = 0;

  ImapFolderList folders_;
  bool listed_ = false;

  ImapDeleteOutcome delete_outcome_ = ImapDeleteOutcome::none;
  bool store_ok_ = false;  // the STORE of \Deleted before a pipelined UID EXPUNGE
};

}  // namespace mv
