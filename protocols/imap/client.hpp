// SPDX-License-Identifier: Apache-2.0
// A sans-I/O IMAP client (RFC 9051 / RFC 3501; 2595 STARTTLS, 4959 SASL-IR, 7888 LITERAL+,
// 4315 UIDPLUS, 6154 SPECIAL-USE, 5258 LIST-EXTENDED, 2342 NAMESPACE, 2177 IDLE, 6851 MOVE,
// 5161 ENABLE + 6855 UTF8=ACCEPT).
// Setup: greeting (OK / PREAUTH / BYE), CAPABILITY unless the greeting carried it, STARTTLS
// (any byte received after its tagged OK is an injection: abort; afterwards every pre-TLS fact is
// dropped and CAPABILITY is asked again), login (AUTHENTICATE with SASL-IR when offered, else
// LOGIN with quoted strings or literals; LOGINDISABLED honoured; credentials never sent before TLS
// unless allow_plaintext), CAPABILITY again when the login reply did not carry it, ENABLE
// UTF8=ACCEPT when offered (in the SELECT's flight; after ENABLED, names are UTF-8, never
// modified UTF-7; a refusal changes nothing), then SELECT (EXAMINE when read_only). Then ready() is
// true and the engine runs one task at a time (below); each task ends with an Event and leaves its
// result in an accessor; ready() is true again. Tags come from a PRNG seeded by the caller (no
// clock or randomness inside); a tagged reply whose tag is not the command in flight is a protocol
// error. Message bodies stream through MessageScanner: memory does not grow with message size.
// Secrets never appear in events/errors. Built from parts: command building and tags (command.hpp),
// capabilities (capabilities.hpp), the mailbox state (mailbox_tracker.hpp), what the tasks produce
// (task_results.hpp: the types read below, and how the server's data fills them), IDLE's
// bookkeeping (idle.hpp), and the shared core (CommandChannel, SaslExchange); here only the
// states, one send_* and one handle_* per state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "protocols/common/conversation.hpp"
#include "protocols/common/sasl.hpp"
#include "protocols/common/tls_mode.hpp"
#include "protocols/imap/capabilities.hpp"
#include "protocols/imap/command.hpp"
#include "protocols/imap/mailbox_tracker.hpp"
#include "protocols/imap/response.hpp"
#include "protocols/imap/task_results.hpp"

namespace mv {

struct ImapOptions {
  TlsMode tls = TlsMode::implicit;  // implicit: the pump did TLS before the greeting
  bool allow_plaintext = false;     // permits credentials without TLS
  Credentials credentials;
  std::optional<Mechanism> mechanism;  // nullopt: choose_mechanism(), else LOGIN
  std::string mailbox = "INBOX";       // as sent (modified UTF-7 already applied)
  bool read_only = false;              // EXAMINE instead of SELECT
  // LIST "" "*" RETURN (SPECIAL-USE) behind the SELECT, when the login reply offers SPECIAL-USE
  // and LIST-EXTENDED: ready() then comes with folders() filled (listed()), no turn of its own.
  bool list_after_login = false;
  std::uint64_t tag_seed = 0;      // caller-supplied randomness for the tags
  Limits limits = kDefaultLimits;  // max_folders, max_search_results, max_tracked_uids among them
};

class ImapClient final : public Conversation {
 public:
  explicit ImapClient(ImapOptions options);
  ~ImapClient() override;

  void on_bytes(std::string_view data) override;
  void on_eof() override;
  std::string_view output() override;
  void consume(std::size_t n) override;
  bool output_sensitive() const override;
  bool wants_tls() const override;
  void on_tls_ready() override;
  std::optional<Event> next_event() override;
  bool done() const override;
  const Error& error() const override;

  // Set up (mailbox selected), no task running, not failed: a task may start.
  bool ready() const;

  // Tasks. Each returns false (and does nothing) unless ready() and the arguments are valid.
  // search_token: UID SEARCH HEADER X-Mailverify-Token <token>; token [A-Za-z0-9] only.
  //   Result: search_result() (at most limits.max_search_results UIDs, in server order).
  bool search_token(std::string_view token);
  // noop_search: NOOP with the same UID SEARCH behind it in one flight (a poll: the NOOP makes
  //   the server sync the mailbox, the search sees what it brought). Result: search_result().
  bool noop_search(std::string_view token);
  // fetch_message: UID FETCH uid (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[]).
  //   Result: fetched_message(); found=false when the server returned nothing for the UID.
  bool fetch_message(std::uint32_t uid);
  // fetch_remove_logout: fetch_message, delete_uid's commands and LOGOUT in one flight, for a
  //   uid found by this run's own token header (nothing else is ever removed). Replies are read
  //   in order; fetch_status() and fetched_message() tell the fetch, delete_outcome() the
  //   removal; the session then ends like logout().
  bool fetch_remove_logout(std::uint32_t uid);
  // fetch_flags: UID FETCH uid (FLAGS). Result: flags_of(uid).
  bool fetch_flags(std::uint32_t uid);
  // store_flags: UID STORE uid +FLAGS (flags); flags space-separated, e.g. "\\Seen". Not
  // .SILENT: the server's FETCH reply shows the flags now set (flags_of(uid)) without a FETCH.
  // noop_first: a NOOP in the same flight before it, so a session that logged in before the
  // message arrived knows its UID (a STORE on a UID the session has not seen is a no-op).
  bool store_flags(std::uint32_t uid, std::string_view flags, bool noop_first = false);
  // noop: NOOP; mailbox() then shows EXISTS changes, flags_of() unsolicited FLAGS.
  bool noop();
  // list_folders: LIST "" "*" RETURN (SPECIAL-USE) with SPECIAL-USE + LIST-EXTENDED, otherwise
  //   NAMESPACE (when offered) then LIST "" "*". Result: folders().
  bool list_folders();
  // delete_uid: UID STORE uid +FLAGS.SILENT (\Deleted), then UID EXPUNGE uid with UIDPLUS.
  //   Without UIDPLUS no EXPUNGE is ever sent: delete_outcome() == flagged_only.
  bool delete_uid(std::uint32_t uid);
  // move_uid: UID MOVE uid folder (only with MOVE). delete_outcome() == moved on success.
  bool move_uid(std::uint32_t uid, std::string_view folder);
  // idle: IDLE (only when offered); ends (DONE sent) when EXISTS grows or idle_done() is called.
  bool idle();
  void idle_done();
  bool idling() const;  // IDLE accepted by the server ("+"), DONE not yet sent
  // logout: LOGOUT; BYE + tagged OK (or BYE then EOF) → done().
  bool logout();
  // queue_logout: LOGOUT written behind the task in flight (delete_uid, move_uid, ...), so the
  // session ends without a round trip of its own; the task's results stay readable. False when
  // no task runs (use logout()) or one is already queued.
  bool queue_logout();

  const ImapTaskStatus& last_task() const;
  const std::vector<std::uint32_t>& search_result() const;
  const ImapFetchedMessage& fetched_message() const;
  const ImapTaskStatus& fetch_status() const;  // of the last fetch_message / fetch_remove_logout
  // Latest flags known for uid: from fetch_flags, fetch_message or unsolicited FETCH responses.
  std::optional<std::vector<std::string>> flags_of(std::uint32_t uid) const;
  const ImapFolderList& folders() const;
  bool listed() const;  // folders() holds a successful LIST's answer
  ImapDeleteOutcome delete_outcome() const;

  const ImapCapabilities& capabilities() const;
  // The server answered ENABLE UTF8=ACCEPT with ENABLED: mailbox names are UTF-8 both ways.
  bool utf8_enabled() const;
  const ImapMailbox& mailbox() const;
  bool tls_active() const;
  bool preauthenticated() const;
  // Tag of the command in flight, or of the last one sent.
  const std::string& last_tag() const;
  // The response code of the last tagged reply (e.g. "AUTHENTICATIONFAILED"), empty when none.
  const std::string& last_code() const;
  // The text of the last [ALERT] the server sent over a trusted channel (RFC 9051 7.1: the user
  // must see it), sanitised; empty when none.
  const std::string& alert() const;
  // Client→server turns so far (each command or continuation answer sent).
  std::size_t turns() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mv
