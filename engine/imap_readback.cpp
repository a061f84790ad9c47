// SPDX-License-Identifier: Apache-2.0
// Reading the test message back over IMAP: session A logs in and selects INBOX while SMTP sends;
// once the message is accepted, A polls UID SEARCH on a short, growing schedule (fast on every
// server, whatever its IDLE latency), fetches the message and verifies token and body digest.
// Then the checks: a second session B marks it \Seen and A must see the flag (read state synced
// across devices); LIST maps Sent/Drafts/Trash/Junk; and only the UID this run created is removed.
#include <algorithm>
#include <memory>
#include <optional>

#include "engine/clock.hpp"
#include "engine/folder_map.hpp"
#include "engine/interrupt.hpp"
#include "engine/readback.hpp"
#include "engine/token.hpp"
#include "protocols/imap/client.hpp"

namespace mv {

namespace {

// Delivery usually completes within 10-60 ms; after this long, waiting moves to IDLE.
constexpr Millis kPollPhase = 2000;
// Progress is worth showing only once the wait is noticeable.
constexpr Millis kProgressAfter = 500;
// One IDLE lasts at most this long before a safety search (servers' IDLE notification can lag or
// be missing altogether: Courier without its notifier waits 60 s).
constexpr Millis kIdleSlice = 5000;

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

// Gone from the folder, or flagged \\Deleted where the server lacks UIDPLUS (reported apart).
bool removed(ImapDeleteOutcome outcome) {
  return outcome == ImapDeleteOutcome::expunged || outcome == ImapDeleteOutcome::moved ||
         outcome == ImapDeleteOutcome::flagged_only;
}

bool has_flag(const std::optional<std::vector<std::string>>& flags, std::string_view flag) {
  return flags && std::find(flags->begin(), flags->end(), flag) != flags->end();
}

// One IMAP connection with its client and session, owned together.
struct ImapLink {
  std::unique_ptr<ImapClient> client;
  std::unique_ptr<Session> session;
  std::string mailbox;  // the one it selects

  ImapLink(const ReadbackDeps& deps, const std::string& prefix, const std::string& mailbox)
      : mailbox(mailbox) {
    ImapOptions o;
    o.tls = deps.config.incoming.endpoint.tls;
    o.allow_plaintext = deps.config.allow_plaintext;
    o.credentials = incoming_credentials(deps.config);
    o.mechanism = deps.config.incoming.mechanism;
    o.mailbox = mailbox;
    o.tag_seed = random_u64();
    client = std::make_unique<ImapClient>(o);
    session = std::make_unique<Session>(prefix, deps.config.incoming.endpoint, deps.tls, *client,
                                        deps.config.timeouts, deps.report, deps.trace);
  }
  bool failed() const { return session->phase() == Session::Phase::failed; }
  bool settled() const { return session->finished() || client->ready(); }
  Error error() const { return session->error(); }
};

class ImapReadback final : public Readback {
 public:
  // The second "device" connects once the first session is logged in and SMTP is done (see
  // complete()): it then resumes the first session's TLS session (an abbreviated handshake, no
  // key exchange or certificate check on either side) and logs in while the message is being
  // delivered. Started at once, its full handshake competed with the SMTP and IMAP ones for CPU.
  explicit ImapReadback(const ReadbackDeps& deps) : deps_(deps), a_(deps, "imap", "INBOX") {
    if (deps.config.check_devices && deps.config.send)
      b_ = std::make_unique<ImapLink>(deps, "imap.device2", "INBOX");
  }

  void start(Pump& pump) override { pump.add(*a_.session); }
  bool settled() const override { return a_.settled(); }
  Error setup_error() const override {
    if (a_.failed()) return a_.error();
    if (a_.session->finished() && !a_.client->ready())
      return make_error(Category::protocol, "imap.closed", "the IMAP session ended before login");
    return {};
  }

  Task<Error> dry_run(Pump& pump, StopAfter stop) override {
    pump_ = &pump;
    a_.session->stop_at(session_stop(stop));
    pump.add(*a_.session);
    co_await pump.until([&] { return a_.settled(); });
    if (a_.failed()) co_return a_.error();
    co_return co_await logout(a_);  // a no-op unless logged in (--stop-after auth)
  }

  Task<Error> complete(Pump& pump, const Expected& expected, RunResult& result) override {
    pump_ = &pump;
    if (expected.token.empty()) {  // --receive-only without a token: log in, select, checks
      if (deps_.config.check_folders) {
        if (Error e = co_await check_folders()) co_return e;
      }
      co_return co_await logout(a_);
    }
    if (b_) pump.add(*b_->session);
    std::uint32_t uid = 0;
    if (Error e = co_await wait_for_arrival(expected, result, uid)) co_return e;
    if (interrupted()) co_return co_await stop_early(uid, expected);
    if (Error e = co_await verify(uid, expected)) co_return e;
    if (interrupted()) co_return co_await stop_early(uid, expected);
    if (deps_.config.check_devices) {
      if (Error e = co_await check_devices(uid)) co_return e;
    }
    if (interrupted()) co_return co_await stop_early(uid, expected);
    // The Sent folder's own session (it resumes A's TLS session).
    std::unique_ptr<ImapLink> sent;
    if (deps_.config.check_folders) {
      if (Error e = co_await check_folders()) co_return e;
      if (interrupted()) co_return co_await stop_early(uid, expected);
      const FolderRole* role = folders_->find("Sent");
      if (deps_.config.send && role && !role->folder.empty()) {
        sent = std::make_unique<ImapLink>(deps_, "imap.sent", role->folder);
        pump_->add(*sent->session);
      }
    }
    // Before INBOX's cleanup: on Gmail the "copy" in Sent is the same message, and moving it to
    // Trash takes it out of Sent too.
    if (sent) co_await check_sent_copy(*sent, expected.token);
    if (deps_.config.send && !deps_.config.keep) {
      if (Error e = co_await cleanup(uid)) co_return e;
    }
    co_return co_await logout(a_);
  }

 private:
  // A signal asked to stop once the message was found: skip the checks not yet run, remove the
  // message as the full run would, log out both sessions, and say so.
  Task<Error> stop_early(std::uint32_t uid, const Expected& expected) {
    LeftBehind left = LeftBehind::kept;
    if (deps_.config.send && !deps_.config.keep) {
      if (Error e = co_await cleanup(uid)) co_return e;
      left = removed(a_.client->delete_outcome()) ? LeftBehind::removed : LeftBehind::in_mailbox;
    }
    co_await drop_device2();
    (void)co_await logout(a_);
    co_return interrupted_error(deps_.config, expected, left, "imap.arrival");
  }

  // The second device's session, when there is one: logged out (if logged in), off the pump.
  Task<void> drop_device2() {
    if (!b_) co_return;
    (void)co_await logout(*b_);
    pump_->remove(*b_->session);
  }

  // What a look into another folder found.
  struct FolderLook {
    bool found = false;
    bool removed = false;  // found, and removed (cleanup on)
    Error error;           // the look itself failed (login, SELECT, SEARCH)
  };

  // Looks for the token in another folder over a session of its own (on the pump already; it
  // resumes A's TLS session); removes what it finds when cleanup is on, then logs out.
  // trash: where a removal moves the message on Gmail (see cleanup); empty: STORE + EXPUNGE.
  Task<FolderLook> look_in(ImapLink& link, const std::string& token, const std::string& trash) {
    FolderLook look;
    look.error = co_await run_task(link);
    if (!look.error && link.client->search_token(token)) look.error = co_await run_task(link);
    if (!look.error && !link.client->last_task().ok)
      look.error = task_refused(link, "search", "UID SEARCH");
    look.found = !look.error && !link.client->search_result().empty();
    if (look.found && deps_.config.send && !deps_.config.keep &&
        start_removal(link, link.client->search_result().back(), trash)) {
      const bool done = !co_await run_task(link);
      look.removed = done && removed(link.client->delete_outcome());
    }
    if (!look.error) (void)co_await logout(link);
    pump_->remove(*link.session);
    co_return look;
  }

  // Starts removing uid from the link's mailbox: UID MOVE to `trash` when given (Gmail), else
  // STORE \Deleted with UID EXPUNGE behind it.
  static bool start_removal(ImapLink& link, std::uint32_t uid, const std::string& trash) {
    return trash.empty() ? link.client->delete_uid(uid) : link.client->move_uid(uid, trash);
  }

  // Runs one task on a link until it finished; the task's failure (NO/BAD) is left to the caller.
  Task<Error> run_task(ImapLink& link) {
    co_await pump_->until([&] { return link.session->finished() || link.client->ready(); });
    if (link.failed()) co_return link.error();
    if (!link.client->ready())
      co_return make_error(Category::protocol, "imap.closed",
                           "the IMAP session ended unexpectedly");
    co_return Error{};
  }

  Error task_refused(const char* step, const char* what) { return task_refused(a_, step, what); }
  Error task_refused(ImapLink& link, const char* step, const char* what) {
    const ImapTaskStatus& st = link.client->last_task();
    Error e = make_error(Category::protocol, std::string("imap.") + step + "_refused",
                         std::string("the server refused ") + what, st.server_says);
    e.step = std::string("imap.") + step;
    return e;
  }

  // Arrival: the first look is a UID SEARCH. Then, while delivery is likely (the first seconds),
  // short growing gaps, each ended by a NOOP; after that, when the server offers IDLE, IDLE
  // slices (ended early by EXISTS). A search follows when the mailbox changed size, and every
  // fourth poll regardless (an expunge and an arrival in one gap leave the count unchanged).
  // Why NOOP and not a bare SEARCH: a NOOP makes Dovecot run a full mailbox sync, while a
  // SEARCH may use a cheap one that misses a message delivered in the same second (measured
  // here: 1 run in 80 saw the message only 2 s later, when IDLE began).
  Task<Error> wait_for_arrival(const Expected& expected, RunResult& result, std::uint32_t& uid) {
    const Millis deadline = expected.accepted_at + deps_.config.delivery_timeout;
    std::string how = "UID SEARCH";
    std::optional<std::uint32_t> searched_exists;
    for (unsigned poll = 0;; ++poll) {
      const std::uint32_t exists = a_.client->mailbox().exists;
      // After an interrupt, one last search: the message may be there to remove.
      if (!searched_exists || *searched_exists != exists || poll % 4 == 0 || interrupted()) {
        searched_exists = exists;
        if (!a_.client->search_token(expected.token))
          co_return make_error(Category::protocol, "imap.not_ready",
                               "the IMAP session is not ready");
        if (Error e = co_await run_task(a_)) co_return e;
        if (!a_.client->last_task().ok) co_return task_refused("search", "UID SEARCH");
        if (!a_.client->search_result().empty()) {
          uid = a_.client->search_result().back();
          double ms = static_cast<double>(monotonic_ms() - expected.accepted_at);
          result.delivery_ms = ms;
          deps_.report.add_step("imap.arrival", 0,
                                (deps_.config.send ? "seen " + ms_text(ms) + " after SMTP accepted"
                                                   : std::string("found")) +
                                    ", UID " + std::to_string(uid) + ", by " + how + " (poll " +
                                    std::to_string(poll + 1) + ")");
          co_return Error{};
        }
      }
      if (interrupted()) {
        co_await drop_device2();
        (void)co_await logout(a_);
        co_return interrupted_error(
            deps_.config, expected,
            deps_.config.send && !deps_.config.keep ? LeftBehind::may_arrive : LeftBehind::kept,
            "imap.arrival");
      }
      const Millis now = monotonic_ms();
      if (now >= deadline) break;
      if (deps_.config.on_progress && now - expected.accepted_at >= kProgressAfter)
        deps_.config.on_progress(
            "waiting for the message: " + seconds_text(now - expected.accepted_at) + ", poll " +
            std::to_string(poll + 1));
      if (now - expected.accepted_at >= kPollPhase && a_.client->capabilities().idle) {
        bool saw_exists = false;
        if (Error e = co_await idle_slice(std::min(deadline, now + kIdleSlice), saw_exists))
          co_return e;
        if (saw_exists) {
          how = "IDLE (EXISTS) then UID SEARCH";
          continue;
        }
      } else {
        co_await pump_->until([&] { return a_.session->finished() || interrupted(); },
                              std::min(deadline, now + poll_gap(poll)));
        if (a_.failed()) co_return a_.error();
      }
      if (!a_.client->noop())
        co_return make_error(Category::protocol, "imap.not_ready", "the IMAP session is not ready");
      if (Error e = co_await run_task(a_)) co_return e;
      how = "NOOP then UID SEARCH";
    }
    co_return co_await not_delivered(expected);
  }

  // One IDLE until EXISTS (saw_exists) or until the slice ends (then DONE).
  Task<Error> idle_slice(Millis until, bool& saw_exists) {
    if (!a_.client->idle())
      co_return make_error(Category::protocol, "imap.not_ready", "the IMAP session is not ready");
    co_await pump_->until(
        [&] { return a_.session->finished() || a_.client->ready() || interrupted(); }, until);
    saw_exists = a_.client->ready();
    if (!saw_exists && !a_.session->finished()) {
      a_.client->idle_done();
      co_return co_await run_task(a_);
    }
    co_return a_.failed() ? a_.error() : Error{};
  }

  // Not in INBOX in time: look in the Junk folder before calling it lost.
  Task<Error> not_delivered(const Expected& expected) {
    std::string junk;
    // (No co_await right of && or ||: each wait is a statement of its own.)
    bool listed = false;
    if (a_.client->list_folders()) listed = !co_await run_task(a_) && a_.client->last_task().ok;
    if (listed) {
      folders_ = map_folders(a_.client->folders());
      if (const FolderRole* r = folders_->find("Junk")) junk = r->folder;
    }
    if (!junk.empty()) {
      ImapLink link(deps_, "imap.junk", junk);
      pump_->add(*link.session);
      // On Gmail an expunge from Spam, its last label, would archive the message into All Mail.
      std::string trash;
      if (a_.client->capabilities().has("X-GM-EXT-1")) trash = co_await trash_folder();
      const FolderLook look = co_await look_in(link, expected.token, trash);
      if (look.found) {
        Error e = make_error(Category::delivery, "roundtrip.junk",
                             "the message was delivered to the Junk folder \"" + junk + "\"");
        e.step = "imap.arrival";
        e.cause = "the provider's spam filter classified the test message as junk";
        e.fix = "mark it as not junk, or check the sender's reputation and the filter rules";
        co_return e;
      }
    }
    co_return not_delivered_error(deps_.config, expected, "imap.arrival");
  }

  Task<Error> verify(std::uint32_t uid, const Expected& expected) {
    if (!a_.client->fetch_message(uid))
      co_return make_error(Category::protocol, "imap.not_ready", "the IMAP session is not ready");
    if (Error e = co_await run_task(a_)) co_return e;
    if (!a_.client->last_task().ok) co_return task_refused("fetch", "UID FETCH");
    const ImapFetchedMessage& m = a_.client->fetched_message();
    Error e;
    if (!m.found) {
      e = make_error(Category::delivery, "roundtrip.fetch_empty",
                     "the server returned nothing for UID " + std::to_string(uid));
    } else if (m.message.token != expected.token) {
      e = make_error(Category::delivery, "roundtrip.modified",
                     "the token header of the read-back message differs from what was sent");
    } else if (!expected.body_digest.empty() && m.message.body_digest != expected.body_digest) {
      e = make_error(Category::delivery, "roundtrip.modified",
                     "the body of the read-back message differs from what was sent (digest " +
                         m.message.body_digest.substr(0, 12) + " vs " +
                         expected.body_digest.substr(0, 12) + ")");
      e.cause = "the message was modified in transit (a filter, footer or re-encoding)";
      e.fix = "check for gateways that rewrite messages (disclaimers, antivirus, encoding)";
    }
    if (e) {
      e.step = "imap.verify";
      co_return e;
    }
    std::string detail = "token and body intact, " + std::to_string(m.message.bytes) + " bytes";
    if (!expected.message_id.empty() && m.message.message_id != expected.message_id)
      detail += ", Message-ID rewritten by the server";
    deps_.report.add_step("imap.verify", 0, detail);
    co_return Error{};
  }

  // "Check across devices": B marks the message read; A must see \Seen.
  Task<Error> check_devices(std::uint32_t uid) {
    if (!b_) co_return Error{};
    ImapLink& b = *b_;
    Error e = co_await run_task(b);
    // B logged in before the message arrived: a NOOP brings the message into its view (a STORE on
    // a UID the session does not know yet is silently a no-op).
    if (!e && b.client->noop()) e = co_await run_task(b);
    if (!e && b.client->store_flags(uid, "\\Seen")) e = co_await run_task(b);
    if (!e && !b.client->last_task().ok) e = task_refused(b, "store", "UID STORE \\Seen");
    // The STORE's reply shows the flags now set (a server SHOULD send it, RFC 9051 6.4.6): a
    // FETCH of them only when it did not.
    if (!e && !has_flag(b.client->flags_of(uid), "\\Seen") && b.client->fetch_flags(uid))
      e = co_await run_task(b);
    const bool stored = !e && has_flag(b.client->flags_of(uid), "\\Seen");
    // B's LOGOUT is on its way while A looks: the two sessions' turns overlap.
    const bool logging_out = !e && b.client->logout();
    Error fe;
    if (stored && !a_.client->fetch_flags(uid))
      fe = make_error(Category::protocol, "imap.not_ready", "the IMAP session is not ready");
    else if (stored)
      fe = co_await run_task(a_);
    if (logging_out) co_await pump_->until([&] { return b.session->finished(); });
    pump_->remove(*b.session);
    if (e) co_return e;
    if (!stored) {
      deps_.report.warnings.push_back("the second session could not mark the message read");
      deps_.report.add_step("imap.devices", 0, "\\Seen could not be set", false);
      co_return Error{};
    }
    if (fe) co_return fe;
    if (!has_flag(a_.client->flags_of(uid), "\\Seen")) {
      deps_.report.warnings.push_back(
          "read state did not sync: a second session marked the message read, the first does "
          "not see \\Seen");
      deps_.report.add_step("imap.devices", 0, "read state NOT synchronised", false);
      co_return Error{};
    }
    deps_.report.add_step("imap.devices", 0,
                          "marked read in a second session, seen as read in the first");
    co_return Error{};
  }

  // The Trash folder's name: from the folders check's map, else from a LIST of its own; empty
  // when the server has none.
  Task<std::string> trash_folder() {
    if (!folders_) {
      if (!a_.client->list_folders()) co_return std::string();
      if (co_await run_task(a_) || !a_.client->last_task().ok) co_return std::string();
      folders_ = map_folders(a_.client->folders());
    }
    const FolderRole* r = folders_->find("Trash");
    co_return r ? r->folder : std::string();
  }

  // Maps the folder roles (kept in folders_) and reports them.
  Task<Error> check_folders() {
    if (!a_.client->list_folders())
      co_return make_error(Category::protocol, "imap.not_ready", "the IMAP session is not ready");
    if (Error e = co_await run_task(a_)) co_return e;
    if (!a_.client->last_task().ok) co_return task_refused("list", "LIST");
    folders_ = map_folders(a_.client->folders());
    const FolderMap& map = *folders_;
    std::string detail;
    for (const FolderRole& r : map.roles) {
      if (!detail.empty()) detail += "; ";
      detail += r.role + " = " + (r.folder.empty() ? "(none)" : "\"" + r.folder + "\"") + " (" +
                r.how + ")";
      if (r.folder.empty())
        deps_.report.warnings.push_back("no " + r.role + " folder found on the server");
    }
    for (const std::string& w : map.warnings)
      deps_.report.warnings.push_back(w);
    deps_.report.add_step("imap.folders", 0, detail);
    co_return Error{};
  }

  // Whether the server files a copy of mail submitted over SMTP in the Sent folder (Gmail and
  // Exchange do, Postfix + Dovecot do not): a client must then not save its own copy, or every
  // sent message is there twice. The copy is this run's and is removed like the one in INBOX.
  Task<void> check_sent_copy(ImapLink& link, const std::string& token) {
    // On Gmail the copy in Sent is INBOX's message under another label: an expunge takes off just
    // that label, and INBOX's cleanup then moves the message to Trash.
    const FolderLook look = co_await look_in(link, token, std::string());
    const std::string quoted = "\"" + link.mailbox + "\"";
    std::string detail;
    if (look.error) {
      detail = "could not look in " + quoted + ": " + look.error.detail;
      deps_.report.warnings.push_back("could not check whether the server files sent mail in " +
                                      quoted + ": " + look.error.detail);
    } else if (!look.found) {
      detail = "no copy of the sent message in " + quoted +
               ": the server does not file submitted mail, so the mail client should save a copy";
    } else {
      detail = "the server filed a copy of the sent message in " + quoted +
               ": the mail client should not save another" +
               (look.removed ? " (copy removed)" : "");
      if (deps_.config.send && !deps_.config.keep && !look.removed)
        deps_.report.warnings.push_back("could not remove the test message's copy in " + quoted);
    }
    deps_.report.add_step("imap.sent_copy", 0, detail, !look.error);
  }

  // Removes the test message from INBOX. On Gmail (X-GM-EXT-1) a \Deleted + EXPUNGE only takes
  // the Inbox label off and, with Gmail's default settings, archives the message in All Mail:
  // a monitor running every few minutes would fill it. There the message is moved to the Trash
  // folder instead, which takes every label off (Gmail empties Trash after 30 days).
  Task<Error> cleanup(std::uint32_t uid) {
    std::string trash;
    const bool gmail = a_.client->capabilities().has("X-GM-EXT-1");
    if (gmail) trash = co_await trash_folder();
    if (!start_removal(a_, uid, trash))
      co_return make_error(Category::protocol, "imap.not_ready", "the IMAP session is not ready");
    if (gmail && trash.empty())
      deps_.report.warnings.push_back(
          "Gmail without a Trash folder (or MOVE): the test message was expunged from INBOX, "
          "which Gmail by default turns into archiving it in All Mail");
    if (Error e = co_await run_task(a_)) co_return e;
    switch (a_.client->delete_outcome()) {
      case ImapDeleteOutcome::expunged:
        deps_.report.add_step(
            "imap.cleanup", 0,
            "removed UID " + std::to_string(uid) + " (UID EXPUNGE: only this message)");
        break;
      case ImapDeleteOutcome::flagged_only:
        deps_.report.add_step("imap.cleanup", 0,
                              "flagged UID " + std::to_string(uid) + " \\Deleted only");
        deps_.report.warnings.push_back(
            "the server lacks UIDPLUS: the test message was only flagged \\Deleted, not "
            "expunged (a plain EXPUNGE could remove other messages you flagged)");
        break;
      case ImapDeleteOutcome::moved:
        deps_.report.add_step("imap.cleanup", 0,
                              "moved UID " + std::to_string(uid) + " to \"" + trash +
                                  "\" (Gmail: expunging would only archive it)");
        break;
      default:
        deps_.report.warnings.push_back("could not remove the test message: " +
                                        a_.client->last_task().server_says);
    }
    co_return Error{};
  }

  Task<Error> logout(ImapLink& link) {
    if (!link.client->ready()) co_return Error{};
    link.client->logout();
    co_await pump_->until([&] { return link.session->finished(); });
    if (link.failed()) co_return link.error();
    co_return Error{};
  }

  ReadbackDeps deps_;
  ImapLink a_;
  std::unique_ptr<ImapLink> b_;       // the second "device", when the devices check runs
  std::optional<FolderMap> folders_;  // once listed (folders check, or Gmail's cleanup)
  Pump* pump_ = nullptr;
};

}  // namespace

std::unique_ptr<Readback> make_imap_readback(const ReadbackDeps& deps) {
  return std::make_unique<ImapReadback>(deps);
}

}  // namespace mv
