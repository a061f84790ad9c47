// SPDX-License-Identifier: Apache-2.0
// Reading the test message back over IMAP, the plan: session A logs in and selects INBOX while SMTP
// sends; once the message is accepted, A waits for it (engine/imap_arrival.hpp), fetches and
// verifies it (imap_verify.hpp). Then the checks, each in its own part: a second session marks it
// \Seen and A must see the flag (imap_devices.hpp); LIST maps Sent/Drafts/Trash/Junk and the Sent
// folder is searched for a copy (imap_folders.hpp); a message not in INBOX in time is looked for
// in Junk (imap_junk.hpp); and only the UID this run created is removed, by the provider's rule
// (imap_cleanup.hpp). The parts share an ImapContext and run their tasks through
// engine/imap_link.hpp.
#include <memory>
#include <optional>

#include "engine/imap_arrival.hpp"
#include "engine/imap_cleanup.hpp"
#include "engine/imap_devices.hpp"
#include "engine/imap_folders.hpp"
#include "engine/imap_junk.hpp"
#include "engine/imap_link.hpp"
#include "engine/imap_verify.hpp"
#include "engine/interrupt.hpp"

namespace mv {

namespace {

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
    ImapContext& ctx = context(pump);
    a_.session->stop_at(session_stop(stop));
    pump.add(*a_.session);
    co_await pump.until([&] { return a_.settled(); });
    if (a_.failed()) co_return a_.error();
    co_return co_await logout(ctx.pump, a_);  // a no-op unless logged in (--stop-after auth)
  }

  Task<Error> complete(Pump& pump, const Expected& expected, RunResult& result) override {
    ImapContext& ctx = context(pump);
    const RunConfig& config = deps_.config;
    if (expected.token.empty()) {  // --receive-only without a token: log in, select, checks
      if (config.check_folders) {
        if (Error e = co_await check_folders(ctx)) co_return e;
      }
      co_return co_await logout(pump, a_);
    }
    if (b_) pump.add(*b_->session);
    if (config.check_folders && a_.client->listed()) sent_ = open_sent(ctx);
    std::uint32_t uid = 0;
    ArrivalEnd end = ArrivalEnd::timed_out;
    if (Error e = co_await wait_for_arrival(ctx, expected, result, uid, end)) co_return e;
    if (end == ArrivalEnd::interrupted) {
      co_await drop_device2();
      (void)co_await logout(pump, a_);
      co_return interrupted_error(
          config, expected, config.send && !config.keep ? LeftBehind::may_arrive : LeftBehind::kept,
          "imap.arrival");
    }
    if (end == ArrivalEnd::timed_out) co_return co_await not_delivered(ctx, expected);
    if (interrupted()) co_return co_await stop_early(uid, expected);
    // No check needs the message or the session after the fetch: its removal and the LOGOUT go
    // out behind it (not on Gmail, whose cleanup first looks for the Trash folder).
    if (!b_ && !config.check_folders && config.send && !config.keep &&
        !a_.client->capabilities().has("X-GM-EXT-1"))
      co_return co_await verify_remove_logout(ctx, uid, expected);
    if (Error e = co_await verify(ctx, uid, expected)) co_return e;
    if (interrupted()) co_return co_await stop_early(uid, expected);
    if (config.check_devices && b_) {
      if (Error e = co_await check_devices(ctx, *b_, uid)) co_return e;
    }
    if (interrupted()) co_return co_await stop_early(uid, expected);
    if (config.check_folders) {
      if (Error e = co_await check_folders(ctx)) co_return e;
      if (interrupted()) co_return co_await stop_early(uid, expected);
      if (!sent_) sent_ = open_sent(ctx);
    }
    // Before INBOX's cleanup: on Gmail the "copy" in Sent is the same message, and moving it to
    // Trash takes it out of Sent too.
    if (sent_) co_await check_sent_copy(ctx, *sent_, expected.token);
    Error e;
    if (config.send && !config.keep)
      e = co_await cleanup(ctx, uid, /*logout=*/true);
    else
      e = co_await logout(pump, a_);
    co_await finish_sent();
    co_return e;
  }

 private:
  ImapContext& context(Pump& pump) {
    if (!context_) context_.emplace(ImapContext{deps_, pump, a_, folders_});
    return *context_;
  }

  // A signal asked to stop once the message was found: skip the checks not yet run, remove the
  // message as the full run would, log out both sessions, and say so.
  Task<Error> stop_early(std::uint32_t uid, const Expected& expected) {
    LeftBehind left = LeftBehind::kept;
    if (deps_.config.send && !deps_.config.keep) {
      if (Error e = co_await cleanup(*context_, uid)) co_return e;
      left = removed(a_.client->delete_outcome()) ? LeftBehind::removed : LeftBehind::in_mailbox;
    }
    co_await drop_device2();
    (void)co_await logout(context_->pump, a_);
    co_return interrupted_error(deps_.config, expected, left, "imap.arrival");
  }

  // The second device's session and the Sent folder's, when there are: logged out (if logged
  // in), off the pump.
  Task<void> drop_device2() {
    Pump& pump = context_->pump;
    if (b_) {
      (void)co_await logout(pump, *b_);
      pump.remove(*b_->session);
    }
    if (sent_) {
      (void)co_await logout(pump, *sent_);  // nothing to do unless it is logged in and idle
      pump.remove(*sent_->session);
    }
  }

  // The Sent folder's session, its LOGOUT on its way: finished, off the pump.
  Task<void> finish_sent() {
    if (!sent_) co_return;
    Pump& pump = context_->pump;
    co_await pump.until([&] { return sent_->session->finished(); });
    pump.remove(*sent_->session);
  }

  ReadbackDeps deps_;
  ImapLink a_;
  std::unique_ptr<ImapLink> b_;         // the second "device", when the devices check runs
  std::unique_ptr<ImapLink> sent_;      // the Sent folder's session, with the folders check
  std::optional<FolderMap> folders_;    // once listed (folders check, or Gmail's cleanup)
  std::optional<ImapContext> context_;  // from the first complete() or dry_run()
};

}  // namespace

std::unique_ptr<Readback> make_imap_readback(const ReadbackDeps& deps) {
  return std::make_unique<ImapReadback>(deps);
}

}  // namespace mv
