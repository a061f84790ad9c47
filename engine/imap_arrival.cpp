// SPDX-License-Identifier: Apache-2.0
#include "engine/imap_arrival.hpp"

#include <algorithm>
#include <cstdio>

#include "engine/clock.hpp"
#include "engine/interrupt.hpp"

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

// One IDLE until EXISTS (saw_exists) or until the slice ends (then DONE).
Task<Error> idle_slice(ImapContext& ctx, Millis until, bool& saw_exists) {
  ImapLink& a = ctx.a;
  if (!a.client->idle()) co_return not_ready();
  co_await ctx.pump.until(
      [&] { return a.session->finished() || a.client->ready() || interrupted(); }, until);
  saw_exists = a.client->ready();
  if (!saw_exists && !a.session->finished()) {
    a.client->idle_done();
    co_return co_await settle(ctx.pump, a);
  }
  co_return a.failed() ? a.error() : Error{};
}

}  // namespace

// Why a NOOP and not a bare SEARCH: a NOOP makes Dovecot run a full mailbox sync, while a SEARCH
// may use a cheap one that misses a message delivered in the same second (measured here: 1 run in
// 80 saw the message only 2 s later, when IDLE began). Pipelined, the NOOP costs no round trip of
// its own; but a server may run the two at once (Dovecot does), so when the NOOP shows the mailbox
// changed and the search found nothing, a plain search follows at once, on the view the NOOP
// synced.
Task<Error> wait_for_arrival(ImapContext& ctx, const Expected& expected, RunResult& result,
                             std::uint32_t& uid, ArrivalEnd& end) {
  ImapLink& a = ctx.a;
  const RunConfig& config = ctx.deps.config;
  const Millis deadline = expected.accepted_at + config.delivery_timeout;
  std::string how = "UID SEARCH";
  bool with_noop = false;
  for (unsigned poll = 0;; ++poll) {
    const std::uint32_t exists_before = a.client->mailbox().exists;
    // After an interrupt, one last search: the message may be there to remove.
    const bool started =
        with_noop ? a.client->noop_search(expected.token) : a.client->search_token(expected.token);
    if (Error e = co_await run_task(ctx.pump, a, started,
                                    Refusal{ErrorKind::search_refused, "search", "UID SEARCH"}))
      co_return e;
    if (!a.client->search_result().empty()) {
      uid = a.client->search_result().back();
      double ms = static_cast<double>(ctx.pump.now() - expected.accepted_at);
      result.delivery_ms = ms;
      ctx.deps.report.add_step(
          "imap.arrival", 0,
          (config.send ? "seen " + ms_text(ms) + " after SMTP accepted" : std::string("found")) +
              ", UID " + std::to_string(uid) + ", by " + how + " (poll " +
              std::to_string(poll + 1) + ")");
      end = ArrivalEnd::found;
      co_return Error{};
    }
    if (interrupted()) {
      end = ArrivalEnd::interrupted;
      co_return Error{};
    }
    const Millis now = ctx.pump.now();
    if (now >= deadline) break;
    if (with_noop && a.client->mailbox().exists != exists_before) {
      with_noop = false;
      how = "NOOP (mailbox changed) then UID SEARCH";
      continue;
    }
    if (config.on_progress && now - expected.accepted_at >= kProgressAfter)
      config.on_progress("waiting for the message: " + seconds_text(now - expected.accepted_at) +
                         ", poll " + std::to_string(poll + 1));
    with_noop = true;
    how = "NOOP + UID SEARCH in one flight";
    if (now - expected.accepted_at >= kPollPhase && a.client->capabilities().idle) {
      bool saw_exists = false;
      if (Error e = co_await idle_slice(ctx, std::min(deadline, now + kIdleSlice), saw_exists))
        co_return e;
      if (saw_exists) {
        with_noop = false;
        how = "IDLE (EXISTS) then UID SEARCH";
      }
    } else {
      co_await ctx.pump.until([&] { return a.session->finished() || interrupted(); },
                              std::min(deadline, now + poll_gap(poll)));
      if (a.failed()) co_return a.error();
    }
  }
  end = ArrivalEnd::timed_out;
  co_return Error{};
}

}  // namespace mv
