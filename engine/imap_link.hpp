// SPDX-License-Identifier: Apache-2.0
// The IMAP read-back's building blocks (engine/imap_readback.cpp and its parts): one IMAP
// connection (client and session together), what the parts share (ImapContext), and the one way
// a part runs a task on a connection: the client must accept it, the pump runs it to its end, and
// a NO or BAD becomes the error the caller names.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/folder_map.hpp"
#include "engine/pump.hpp"
#include "engine/readback.hpp"
#include "engine/task.hpp"
#include "protocols/imap/client.hpp"

namespace mv {

// One IMAP connection with its client and session, owned together.
struct ImapLink {
  std::unique_ptr<ImapClient> client;
  std::unique_ptr<Session> session;
  std::string mailbox;  // the one it selects

  ImapLink(const ReadbackDeps& deps, const std::string& prefix, const std::string& mailbox,
           bool list_after_login = false);
  bool failed() const { return session->phase() == Session::Phase::failed; }
  bool settled() const { return session->finished() || client->ready(); }
  Error error() const { return session->error(); }
};

// What the read-back's parts share: the run, its loop, session A (on INBOX) and the folder map
// once listed (by the folders check, the Junk lookup or Gmail's cleanup).
struct ImapContext {
  const ReadbackDeps& deps;
  Pump& pump;
  ImapLink& a;
  std::optional<FolderMap>& folders;
};

// A refused task's error: kind, the step "imap.<step>", "the server refused <what>".
struct Refusal {
  ErrorKind kind;
  const char* step;
  const char* what;
};
Error task_refused(const ImapLink& link, const Refusal& refusal);
Error task_refused(const ImapTaskStatus& status, std::string alert, const Refusal& refusal);
// A task the client would not start: the session is not logged in and idle.
Error not_ready();

// Runs the task the link's client was asked to start (started: whether it accepted it) until it
// finished; with a refusal, a NO or BAD is that error, else the task's verdict is the caller's.
Task<Error> run_task(Pump& pump, ImapLink& link, bool started,
                     std::optional<Refusal> refusal = std::nullopt);
// Waits until the link's current work is done (ready again); the session's failure, if any.
Task<Error> settle(Pump& pump, ImapLink& link);
// LOGOUT when logged in and idle, until the session ended.
Task<Error> logout(Pump& pump, ImapLink& link);

}  // namespace mv
