// SPDX-License-Identifier: Apache-2.0
// Reading the test message back over POP3. A POP3 session sees a snapshot of the maildrop taken at
// login, so arrival is polled by reconnecting on the short, growing schedule: each visit scans the
// newest messages' headers with TOP n 0 for the token, then RETR verifies the body. Nothing but
// the run's own message is ever marked for deletion, and only with cleanup on (DELE takes effect
// at QUIT; on any error the client sends nothing more, so the server drops the mark).
#include <memory>

#include "engine/clock.hpp"
#include "engine/interrupt.hpp"
#include "engine/readback.hpp"
#include "protocols/pop3/client.hpp"

namespace mv {

namespace {

class Pop3Readback final : public Readback {
 public:
  explicit Pop3Readback(const ReadbackDeps& deps) : deps_(deps) {}

  // The maildrop snapshot is taken at login, so there is nothing useful to do before SMTP is done.
  void start(Pump&) override {}
  bool settled() const override { return true; }
  Error setup_error() const override { return {}; }

  Task<Error> dry_run(Pump& pump, StopAfter stop) override {
    Visit v(*this, pump);
    v.session.stop_at(session_stop(stop));
    co_await pump.until([&] { return v.session.finished() || v.client.idle(); });
    if (v.failed()) co_return v.session.error();
    if (!v.client.idle()) co_return Error{};
    co_return co_await v.quit();  // logged in only with --stop-after auth
  }

  Task<Error> complete(Pump& pump, const Expected& expected, RunResult& result) override {
    const Millis deadline = expected.accepted_at + deps_.config.delivery_timeout;
    for (unsigned n = 0;; ++n) {
      bool found = false;
      if (Error e = co_await visit(pump, expected, result, n, found)) co_return e;
      if (found || expected.token.empty()) co_return Error{};
      if (interrupted()) {  // after one last visit (below), which removes the message if there
        co_return interrupted_error(
            deps_.config, expected,
            deps_.config.send && !deps_.config.keep ? LeftBehind::may_arrive : LeftBehind::kept,
            "pop3.arrival");
      }
      Millis now = pump.now();
      if (now >= deadline) break;
      if (deps_.config.on_progress)
        deps_.config.on_progress(
            "waiting for the message: " + seconds_text(now - expected.accepted_at) + ", visit " +
            std::to_string(n + 1));
      co_await pump.until([] { return interrupted(); }, std::min(deadline, now + poll_gap(n)));
    }
    co_return not_delivered_error(deps_.config, expected, "pop3.arrival");
  }

 private:
  // One POP3 connection: client and session together (the session leaves the pump with it).
  struct Visit {
    Pop3Client client;
    Session session;
    Pump& pump;

    Visit(const Pop3Readback& r, Pump& p)
        : client(r.options()),
          session(p.transport(), "pop3", r.deps_.config.incoming.endpoint, r.deps_.tls, client,
                  r.deps_.config.timeouts, r.deps_.report, r.deps_.trace),
          pump(p) {
      pump.add(session);
    }
    bool failed() const { return session.phase() == Session::Phase::failed; }
    // Runs until the queued tasks are done.
    Task<Error> settle() {
      co_await pump.until([&] { return session.finished() || client.idle(); });
      if (failed()) co_return session.error();
      if (!client.idle())
        co_return make_error(ErrorKind::closed, Protocol::pop3, "the POP3 session ended early");
      co_return Error{};
    }
    // QUIT, which also commits any DELE of this session.
    Task<Error> quit() {
      client.quit();
      co_await pump.until([&] { return session.finished(); });
      co_return failed() ? session.error() : Error{};
    }
  };

  Pop3Options options() const {
    Pop3Options o;
    o.tls = deps_.config.incoming.endpoint.tls;
    o.allow_plaintext = deps_.config.allow_plaintext;
    o.credentials = incoming_credentials(deps_.config);
    o.mechanism = deps_.config.incoming.mechanism;
    return o;
  }

  // Logs in, scans the newest messages for the token; when found, verifies, cleans up, quits.
  Task<Error> visit(Pump& pump, const Expected& expected, RunResult& result, unsigned n,
                    bool& found) {
    Visit v(*this, pump);
    if (Error e = co_await v.settle()) co_return e;
    const std::uint32_t count = v.client.message_count();
    if (!expected.token.empty() && count > 0) {
      v.client.find_token(expected.token);  // the newest Limits::max_pop3_scanned
      if (Error e = co_await v.settle()) co_return e;
      found = v.client.found().has_value();
    }
    if (!found) co_return co_await v.quit();
    const std::uint32_t number = *v.client.found();
    const double ms = static_cast<double>(pump.now() - expected.accepted_at);
    result.delivery_ms = ms;
    char buf[96];
    std::snprintf(buf, sizeof buf, "seen %.1f ms after SMTP accepted, message %u, visit #%u", ms,
                  number, n + 1);
    deps_.report.add_step("pop3.arrival", 0, deps_.config.send ? buf : "found");
    if (Error e = co_await verify(v, number, expected)) co_return e;
    deps_.report.add_step("pop3.devices", 0,
                          "POP3 does not synchronise read state between devices (use IMAP for "
                          "that)");
    const bool cleanup = deps_.config.send && !deps_.config.keep;
    if (cleanup) v.client.dele(number);
    if (Error e = co_await v.quit()) co_return e;
    if (cleanup)
      deps_.report.add_step("pop3.cleanup", 0,
                            "deleted message " + std::to_string(number) + " (only this one)");
    co_return Error{};
  }

  Task<Error> verify(Visit& v, std::uint32_t number, const Expected& expected) {
    const std::int64_t start = v.pump.clock().now_us();
    v.client.retrieve(number);
    if (Error e = co_await v.settle()) co_return e;
    const Pop3Message& m = v.client.retrieved();
    Error e;
    if (m.token != expected.token) {
      e = make_error(ErrorKind::modified, Protocol::none,
                     "the token header of the read-back message differs from what was sent");
    } else if (!expected.body_digest.empty() && m.body_digest != expected.body_digest) {
      e = make_error(ErrorKind::modified, Protocol::none,
                     "the body of the read-back message differs from what was sent");
    }
    if (e) {
      e.step = "pop3.verify";
      co_return e;
    }
    deps_.report.add_step("pop3.verify",
                          static_cast<double>(v.pump.clock().now_us() - start) / 1000.0,
                          "token and body intact, " + std::to_string(m.size) + " bytes");
    co_return Error{};
  }

  ReadbackDeps deps_;
};

}  // namespace

std::unique_ptr<Readback> make_pop3_readback(const ReadbackDeps& deps) {
  return std::make_unique<Pop3Readback>(deps);
}

}  // namespace mv
