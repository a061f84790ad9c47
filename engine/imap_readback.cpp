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
#include "protocols/common/ascii.hpp"
#include "protocols/imap/client.hpp"
#include "protocols/imap/mutf7.hpp"

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

  ImapLink(const ReadbackDeps& deps, const std::string& prefix, const std::string& mailbox,
           bool list_after_login = false)
      : mailbox(mailbox) {
    ImapOptions o;
    o.tls = deps.config.incoming.endpoint.tls;
    o.allow_plaintext = deps.config.allow_plaintext;
    o.credentials = incoming_credentials(deps.config);
    o.mechanism = deps.config.incoming.mechanism;
    o.mailbox = mailbox;
    o.tag_seed = random_u64();
    o.list_after_login = list_after_login;
    client = std::make_unique<ImapClient>(o);
    session =
        std::make_unique<Session>(deps.transport, prefix, deps.config.incoming.endpoint, deps.tls,
                                  *client, deps.config.timeouts, deps.report, deps.trace);
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
  // With the folders check, A lists the folders in its login flight, so the Sent folder's session
  // can log in while the message is being delivered.
  explicit ImapReadback(const ReadbackDeps& deps)
      : deps_(deps), a_(deps, "imap", "INBOX", deps.config.check_folders) {
    if (deps.config.check_devices && deps.config.send)
      b_ = std::make_unique<ImapLink>(deps, "imap.device2", "INBOX");
  }

  void start(Pump& pump) override { pump.add(*a_.session); }
  bool settled() const override { return a_.settled(); }
  Error setup_error() const override {
    if (a_.failed()) return a_.error();
    if (a_.session->finished() && !a_.client->ready())
      return make_error(ErrorKind::closed, Protocol::imap, "the IMAP session ended before login");
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
    if (deps_.config.check_folders && a_.client->listed()) open_sent();
    std::uint32_t uid = 0;
    if (Error e = co_await wait_for_arrival(expected, result, uid)) co_return e;
    if (interrupted()) co_return co_await stop_early(uid, expected);
    // No check needs the message or the session after the fetch: its removal and the LOGOUT go
    // out behind it (not on Gmail, whose cleanup first looks for the Trash folder).
    if (!b_ && !deps_.config.check_folders && deps_.config.send && !deps_.config.keep &&
        !a_.client->capabilities().has("X-GM-EXT-1"))
      co_return co_await verify_remove_logout(uid, expected);
    if (Error e = co_await verify(uid, expected)) co_return e;
    if (interrupted()) co_return co_await stop_early(uid, expected);
    if (deps_.config.check_devices) {
      if (Error e = co_await check_devices(uid)) co_return e;
    }
    if (interrupted()) co_return co_await stop_early(uid, expected);
    if (deps_.config.check_folders) {
      if (Error e = co_await check_folders()) co_return e;
      if (interrupted()) co_return co_await stop_early(uid, expected);
      if (!sent_) open_sent();
    }
    // Before INBOX's cleanup: on Gmail the "copy" in Sent is the same message, and moving it to
    // Trash takes it out of Sent too.
    if (sent_) co_await check_sent_copy(*sent_, expected.token);
    Error e;
    if (deps_.config.send && !deps_.config.keep)
      e = co_await cleanup(uid, /*logout=*/true);
    else
      e = co_await logout(a_);
    co_await finish_sent();
    co_return e;
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

  // The second device's session and the Sent folder's, when there are: logged out (if logged
  // in), off the pump.
  Task<void> drop_device2() {
    if (b_) {
      (void)co_await logout(*b_);
      pump_->remove(*b_->session);
    }
    if (sent_) {
      (void)co_await logout(*sent_);  // nothing to do unless it is logged in and idle
      pump_->remove(*sent_->session);
    }
  }

  // The Sent folder's own session (it resumes A's TLS session), from the folders A listed.
  void open_sent() {
    folders_ = map_folders(a_.client->folders());
    const FolderRole* role = folders_->find("Sent");
    // Only for mail the mailbox's owner sent: a peer's message is filed in the peer's Sent.
    if (!deps_.config.send || !deps_.config.rcpt_to.empty() || !role || role->folder.empty())
      return;
    sent_ = std::make_unique<ImapLink>(deps_, "imap.sent", role->folder);
    pump_->add(*sent_->session);
  }

  // What a look into another folder found.
  struct FolderLook {
    bool found = false;
    bool removed = false;  // found, and removed (cleanup on)
    Error error;           // the look itself failed (login, SELECT, SEARCH)
  };

  // Looks for the token in another folder over a session of its own (on the pump already; it
  // resumes A's TLS session); removes what it finds when cleanup is on (the LOGOUT behind the
  // removal), then logs out. trash: where a removal moves the message on Gmail (see cleanup);
  // empty: STORE + EXPUNGE. linger: the LOGOUT is left on its way and the session on the pump
  // (finish_sent() collects it), so the next step need not wait for its reply.
  Task<FolderLook> look_in(ImapLink& link, const std::string& token, const std::string& trash,
                           bool linger = false) {
    FolderLook look;
    look.error = co_await run_task(link);
    // The session may have selected the folder before the copy arrived (the Sent session logs in
    // during delivery): a NOOP in the search's flight syncs the view, and since Dovecot runs the
    // two at once, a change the NOOP shows with nothing found is searched again.
    const std::uint32_t exists_before = link.client->mailbox().exists;
    if (!look.error && link.client->noop_search(token)) look.error = co_await run_task(link);
    if (!look.error && link.client->last_task().ok && link.client->search_result().empty() &&
        link.client->mailbox().exists != exists_before && link.client->search_token(token))
      look.error = co_await run_task(link);
    if (!look.error && !link.client->last_task().ok)
      look.error = task_refused(link, ErrorKind::search_refused, "search", "UID SEARCH");
    look.found = !look.error && !link.client->search_result().empty();
    if (look.found && deps_.config.send && !deps_.config.keep &&
        start_removal(link, link.client->search_result().back(), trash)) {
      link.client->queue_logout();
      co_await pump_->until([&] { return link.session->finished() || link.client->ready(); });
      look.removed = !link.failed() && removed(link.client->delete_outcome());
    }
    if (!look.error && link.client->ready()) {
      if (linger)
        link.client->logout();
      else
        (void)co_await logout(link);
    }
    if (!linger) pump_->remove(*link.session);
    co_return look;
  }

  // The Sent folder's session, its LOGOUT on its way: finished, off the pump.
  Task<void> finish_sent() {
    if (!sent_) co_return;
    co_await pump_->until([&] { return sent_->session->finished(); });
    pump_->remove(*sent_->session);
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
      co_return make_error(ErrorKind::closed, Protocol::imap,
                           "the IMAP session ended unexpectedly");
    co_return Error{};
  }

  Error task_refused(ErrorKind kind, const char* step, const char* what) {
    return task_refused(a_, kind, step, what);
  }
  Error task_refused(ImapLink& link, ErrorKind kind, const char* step, const char* what) {
    return task_refused(link.client->last_task(), link.client->alert(), kind, step, what);
  }
  static Error task_refused(const ImapTaskStatus& st, std::string alert, ErrorKind kind,
                            const char* step, const char* what) {
    ServerSignal signal;
    signal.response_code = ascii_upper(st.code);
    signal.alert = std::move(alert);
    Error e = make_error(kind, Protocol::imap, std::string("the server refused ") + what,
                         st.server_says, std::move(signal));
    e.step = std::string("imap.") + step;
    return e;
  }

  // Arrival: the first look is a UID SEARCH, sent as soon as SMTP's 250 is in. Then, while
  // delivery is likely (the first seconds), short growing gaps, each ended by a NOOP with the
  // UID SEARCH behind it in one flight; after that, when the server offers IDLE, IDLE slices
  // (ended early by EXISTS, then a search). Why a NOOP and not a bare SEARCH: a NOOP makes
  // Dovecot run a full mailbox sync, while a SEARCH may use a cheap one that misses a message
  // delivered in the same second (measured here: 1 run in 80 saw the message only 2 s later,
  // when IDLE began). Pipelined, the NOOP costs no round trip of its own; but a server may run
  // the two at once (Dovecot does), so when the NOOP shows the mailbox changed and the search
  // found nothing, a plain search follows at once, on the view the NOOP synced.
  Task<Error> wait_for_arrival(const Expected& expected, RunResult& result, std::uint32_t& uid) {
    const Millis deadline = expected.accepted_at + deps_.config.delivery_timeout;
    std::string how = "UID SEARCH";
    bool with_noop = false;
    for (unsigned poll = 0;; ++poll) {
      const std::uint32_t exists_before = a_.client->mailbox().exists;
      // After an interrupt, one last search: the message may be there to remove.
      const bool started = with_noop ? a_.client->noop_search(expected.token)
                                     : a_.client->search_token(expected.token);
      if (!started)
        co_return make_error(ErrorKind::not_ready, Protocol::imap, "the IMAP session is not ready");
      if (Error e = co_await run_task(a_)) co_return e;
      if (!a_.client->last_task().ok)
        co_return task_refused(ErrorKind::search_refused, "search", "UID SEARCH");
      if (!a_.client->search_result().empty()) {
        uid = a_.client->search_result().back();
        double ms = static_cast<double>(pump_->now() - expected.accepted_at);
        result.delivery_ms = ms;
        deps_.report.add_step("imap.arrival", 0,
                              (deps_.config.send ? "seen " + ms_text(ms) + " after SMTP accepted"
                                                 : std::string("found")) +
                                  ", UID " + std::to_string(uid) + ", by " + how + " (poll " +
                                  std::to_string(poll + 1) + ")");
        co_return Error{};
      }
      if (interrupted()) {
        co_await drop_device2();
        (void)co_await logout(a_);
        co_return interrupted_error(
            deps_.config, expected,
            deps_.config.send && !deps_.config.keep ? LeftBehind::may_arrive : LeftBehind::kept,
            "imap.arrival");
      }
      const Millis now = pump_->now();
      if (now >= deadline) break;
      if (with_noop && a_.client->mailbox().exists != exists_before) {
        with_noop = false;
        how = "NOOP (mailbox changed) then UID SEARCH";
        continue;
      }
      if (deps_.config.on_progress && now - expected.accepted_at >= kProgressAfter)
        deps_.config.on_progress(
            "waiting for the message: " + seconds_text(now - expected.accepted_at) + ", poll " +
            std::to_string(poll + 1));
      with_noop = true;
      how = "NOOP + UID SEARCH in one flight";
      if (now - expected.accepted_at >= kPollPhase && a_.client->capabilities().idle) {
        bool saw_exists = false;
        if (Error e = co_await idle_slice(std::min(deadline, now + kIdleSlice), saw_exists))
          co_return e;
        if (saw_exists) {
          with_noop = false;
          how = "IDLE (EXISTS) then UID SEARCH";
        }
      } else {
        co_await pump_->until([&] { return a_.session->finished() || interrupted(); },
                              std::min(deadline, now + poll_gap(poll)));
        if (a_.failed()) co_return a_.error();
      }
    }
    co_return co_await not_delivered(expected);
  }

  // One IDLE until EXISTS (saw_exists) or until the slice ends (then DONE).
  Task<Error> idle_slice(Millis until, bool& saw_exists) {
    if (!a_.client->idle())
      co_return make_error(ErrorKind::not_ready, Protocol::imap, "the IMAP session is not ready");
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
        Error e = make_error(ErrorKind::junk, Protocol::none,
                             "the message was delivered to the Junk folder \"" + junk + "\"");
        e.step = "imap.arrival";
        co_return e;
      }
    }
    co_return not_delivered_error(deps_.config, expected, "imap.arrival");
  }

  Task<Error> verify(std::uint32_t uid, const Expected& expected) {
    if (!a_.client->fetch_message(uid))
      co_return make_error(ErrorKind::not_ready, Protocol::imap, "the IMAP session is not ready");
    if (Error e = co_await run_task(a_)) co_return e;
    co_return check_fetched(uid, expected);
  }

  // The fetch, the removal and the LOGOUT in one flight (ImapClient::fetch_remove_logout): the
  // uid is the one this run's token header found, so nothing else can be removed. The result
  // does not wait for more than the LOGOUT's reply, which comes in the same flight's answers.
  Task<Error> verify_remove_logout(std::uint32_t uid, const Expected& expected) {
    if (!a_.client->fetch_remove_logout(uid))
      co_return make_error(ErrorKind::not_ready, Protocol::imap, "the IMAP session is not ready");
    co_await pump_->until([&] { return a_.session->finished(); });
    if (a_.failed()) co_return a_.error();
    Error e = check_fetched(uid, expected);
    report_removal(uid, std::string());
    co_return e;
  }

  // Token and body digest of the fetched message against what was sent.
  Error check_fetched(std::uint32_t uid, const Expected& expected) {
    if (!a_.client->fetch_status().ok)
      return task_refused(a_.client->fetch_status(), a_.client->alert(), ErrorKind::fetch_refused,
                          "fetch", "UID FETCH");
    const ImapFetchedMessage& m = a_.client->fetched_message();
    Error e;
    if (!m.found) {
      e = make_error(ErrorKind::fetch_empty, Protocol::none,
                     "the server returned nothing for UID " + std::to_string(uid));
    } else if (m.message.token != expected.token) {
      e = make_error(ErrorKind::modified, Protocol::none,
                     "the token header of the read-back message differs from what was sent");
    } else if (!expected.body_digest.empty() && m.message.body_digest != expected.body_digest) {
      e = make_error(ErrorKind::modified, Protocol::none,
                     "the body of the read-back message differs from what was sent (digest " +
                         m.message.body_digest.substr(0, 12) + " vs " +
                         expected.body_digest.substr(0, 12) + ")");
    }
    if (e) {
      e.step = "imap.verify";
      return e;
    }
    std::string detail = "token and body intact, " + std::to_string(m.message.bytes) + " bytes";
    if (!expected.message_id.empty() && m.message.message_id != expected.message_id)
      detail += ", Message-ID rewritten by the server";
    deps_.report.add_step("imap.verify", 0, detail);
    return Error{};
  }

  // "Check across devices": B marks the message read; A must see \Seen.
  Task<Error> check_devices(std::uint32_t uid) {
    if (!b_) co_return Error{};
    ImapLink& b = *b_;
    Error e = co_await run_task(b);
    // B logged in before the message arrived: a NOOP brings the message into its view (a STORE on
    // a UID the session does not know yet is silently a no-op); it goes in the STORE's flight.
    const std::uint32_t exists_before = b.client->mailbox().exists;
    if (!e && b.client->store_flags(uid, "\\Seen", /*noop_first=*/true)) e = co_await run_task(b);
    // Dovecot may run the STORE beside the NOOP, before the message is in the session's view:
    // the STORE then did nothing. When the NOOP brought news and no flags came back, once more.
    if (!e && b.client->last_task().ok && !has_flag(b.client->flags_of(uid), "\\Seen") &&
        b.client->mailbox().exists != exists_before && b.client->store_flags(uid, "\\Seen"))
      e = co_await run_task(b);
    if (!e && !b.client->last_task().ok)
      e = task_refused(b, ErrorKind::store_refused, "store", "UID STORE \\Seen");
    // The STORE's reply shows the flags now set (a server SHOULD send it, RFC 9051 6.4.6): a
    // FETCH of them only when it did not.
    if (!e && !has_flag(b.client->flags_of(uid), "\\Seen") && b.client->fetch_flags(uid))
      e = co_await run_task(b);
    const bool stored = !e && has_flag(b.client->flags_of(uid), "\\Seen");
    // B's LOGOUT is on its way while A looks: the two sessions' turns overlap.
    const bool logging_out = !e && b.client->logout();
    Error fe;
    if (stored && !a_.client->fetch_flags(uid))
      fe = make_error(ErrorKind::not_ready, Protocol::imap, "the IMAP session is not ready");
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
  // (No LIST when A's login flight already listed them.)
  Task<Error> check_folders() {
    if (!a_.client->listed()) {
      if (!a_.client->list_folders())
        co_return make_error(ErrorKind::not_ready, Protocol::imap, "the IMAP session is not ready");
      if (Error e = co_await run_task(a_)) co_return e;
      if (!a_.client->last_task().ok)
        co_return task_refused(ErrorKind::list_refused, "list", "LIST");
    }
    folders_ = map_folders(a_.client->folders());
    const FolderMap& map = *folders_;
    std::string detail;
    for (const FolderRole& r : map.roles) {
      if (!detail.empty()) detail += "; ";
      detail += r.role + " = " + (r.folder.empty() ? "(none)" : "\"" + r.shown + "\"") + " (" +
                r.how + (r.shown != r.folder ? ", on the wire \"" + r.folder + "\"" : "") + ")";
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
    const FolderLook look = co_await look_in(link, token, std::string(), /*linger=*/true);
    const std::string quoted = "\"" + folder_display_name(link.mailbox) + "\"";
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
  // With logout, the LOGOUT goes out behind the removal, in the same flight.
  Task<Error> cleanup(std::uint32_t uid, bool logout = false) {
    std::string trash;
    const bool gmail = a_.client->capabilities().has("X-GM-EXT-1");
    if (gmail) trash = co_await trash_folder();
    if (!start_removal(a_, uid, trash))
      co_return make_error(ErrorKind::not_ready, Protocol::imap, "the IMAP session is not ready");
    if (gmail && trash.empty())
      deps_.report.warnings.push_back(
          "Gmail without a Trash folder (or MOVE): the test message was expunged from INBOX, "
          "which Gmail by default turns into archiving it in All Mail");
    if (logout && a_.client->queue_logout()) {
      co_await pump_->until([&] { return a_.session->finished(); });
      if (a_.failed()) co_return a_.error();
    } else if (Error e = co_await run_task(a_)) {
      co_return e;
    }
    report_removal(uid, trash);
    co_return Error{};
  }

  // What removing uid from INBOX did, in the report.
  void report_removal(std::uint32_t uid, const std::string& trash) {
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
  std::unique_ptr<ImapLink> sent_;    // the Sent folder's session, with the folders check
  std::optional<FolderMap> folders_;  // once listed (folders check, or Gmail's cleanup)
  Pump* pump_ = nullptr;
};

}  // namespace

std::unique_ptr<Readback> make_imap_readback(const ReadbackDeps& deps) {
  return std::make_unique<ImapReadback>(deps);
}

}  // namespace mv
