// SPDX-License-Identifier: Apache-2.0
// The receiving half of a run, behind one interface so the plan does not care whether it reads
// back over IMAP or POP3: start() while SMTP is still sending (IMAP logs in at once), then
// complete() once the message was accepted: find it, verify it, run the checks, clean up.
// complete() and dry_run() are coroutines of the plan: they wait on the pump, never block it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/pump.hpp"
#include "engine/run.hpp"
#include "engine/task.hpp"

namespace mv {

// What the receiving side must find: the run's token, and what was sent (to verify integrity).
struct Expected {
  std::string token;
  std::string message_id;   // empty in --receive-only
  std::string body_digest;  // empty in --receive-only
  Millis accepted_at = 0;   // monotonic time the SMTP server accepted the message
  std::string queue_id;     // what the SMTP server called it, for "not delivered" reports
};

// The mailbox login's credentials, with the host and port OAUTHBEARER names.
Credentials incoming_credentials(const RunConfig& config);

// "Not delivered" in one shared wording, saying what SMTP did with the message.
Error not_delivered_error(const RunConfig& config, const Expected& expected, const char* step);

// What became of the test message when a signal ended the run early (engine/interrupt.hpp).
enum class LeftBehind {
  nothing_accepted,  // SMTP had not accepted it
  removed,           // it was in the mailbox and was removed
  in_mailbox,        // it is in the mailbox and could not be removed
  kept,              // --keep or --receive-only: not this run's to remove
  may_arrive,        // accepted, not (yet) seen: it may still arrive
};
// "Interrupted" in one shared wording, saying what is left in the mailbox.
Error interrupted_error(const RunConfig& config, const Expected& expected, LeftBehind left,
                        const char* step);

class Readback {
 public:
  virtual ~Readback() = default;
  // Adds its sessions to the pump (it may log in right away).
  virtual void start(Pump& pump) = 0;
  // Logged in and ready, or failed: the plan may go on.
  virtual bool settled() const = 0;
  // The failure of the setup, if any.
  virtual Error setup_error() const = 0;
  // Finds, verifies, checks and cleans up. Returns the run's error (none when passed).
  virtual Task<Error> complete(Pump& pump, const Expected& expected, RunResult& result) = 0;
  // --stop-after: connects, then stops after connect, TLS or login (logging out cleanly); never
  // selects a mailbox for writing, searches or changes anything. Used instead of start/complete.
  virtual Task<Error> dry_run(Pump& pump, StopAfter stop) = 0;
};

struct ReadbackDeps {
  const RunConfig& config;
  TlsContext& tls;
  Report& report;
  Transport& transport;  // the pump's: where the sessions connect
  Trace* trace = nullptr;
};

std::unique_ptr<Readback> make_imap_readback(const ReadbackDeps& deps);
std::unique_ptr<Readback> make_pop3_readback(const ReadbackDeps& deps);

// Poll schedule for arrival: short, growing gaps first (delivery usually takes 10-60 ms), then at
// most one second apart. The n-th gap in milliseconds, n from 0.
Millis poll_gap(unsigned n);

// Where a session stops for a dry run (--stop-after connect|tls; auth is the client's own end).
Session::StopAt session_stop(StopAfter stop);

}  // namespace mv
