// Reading the test message back over POP3. A POP3 session sees a snapshot of the maildrop taken at
// login, so arrival is polled by reconnecting on the short, growing schedule: each visit scans the
// newest messages' headers with TOP n 0 for the token, then RETR verifies the body. Nothing but
// the run's own message is ever marked for deletion, and only with cleanup on (DELE takes effect
// at QUIT; on any error the client sends nothing more, so the server drops the mark).
#include <memory>

#include "engine/clock.hpp"
#include "engine/readback.hpp"
#include "protocols/pop3/client.hpp"

namespace mv {

namespace {

// How many of the newest messages one visit scans; the test message is among the newest.
constexpr std::uint32_t kScanWindow = 50;

double ms_since(std::int64_t start_us) {
  return static_cast<double>(monotonic_us() - start_us) / 1000.0;
}

class Pop3Readback final : public Readback {
 public:
  explicit Pop3Readback(const ReadbackDeps& deps) : deps_(deps) {}

  // The maildrop snapshot is taken at login, so there is nothing useful to do before SMTP is done.
  void start(Pump&) override {}
  bool settled() const override { return true; }
  Error setup_error() const override { return {}; }

  Error complete(Pump& pump, const Expected& expected, RunResult& result) override {
    const Millis deadline = expected.accepted_at + deps_.config.delivery_timeout;
    for (unsigned visit = 0;; ++visit) {
      Pop3Options o;
      o.tls = deps_.config.incoming.endpoint.tls;
      o.allow_plaintext = deps_.config.allow_plaintext;
      if (deps_.config.incoming.credentials) o.credentials = *deps_.config.incoming.credentials;
      o.credentials.host = deps_.config.incoming.endpoint.host;
      o.credentials.port = deps_.config.incoming.endpoint.port;
      o.mechanism = deps_.config.incoming.mechanism;
      Pop3Client client(o);
      Session session("pop3", deps_.config.incoming.endpoint, deps_.tls, client,
                      deps_.config.timeouts, deps_.report, deps_.trace);
      pump.add(session);
      auto settle = [&] {
        pump.run_until([&] { return session.finished() || client.idle(); });
        if (session.phase() == Session::Phase::failed) return session.error();
        if (!client.idle())
          return make_error(Category::protocol, "pop3.closed", "the POP3 session ended early");
        return Error{};
      };
      Error e = settle();
      if (!e && expected.token.empty()) {  // --receive-only without a token: log in and leave
        client.quit();
        pump.run_until([&] { return session.finished(); });
        if (session.phase() == Session::Phase::failed) e = session.error();
        pump.remove(session);
        return e;
      }
      if (!e) {
        std::uint32_t count = client.message_count();
        std::uint32_t from = count > kScanWindow ? count - kScanWindow + 1 : 1;
        if (count > 0) {
          client.find_token(expected.token, from);
          e = settle();
        }
        if (!e && count > 0 && client.found()) {
          std::uint32_t n = *client.found();
          double ms = static_cast<double>(monotonic_ms() - expected.accepted_at);
          result.delivery_ms = ms;
          char buf[96];
          std::snprintf(buf, sizeof buf, "seen %.1f ms after SMTP accepted, message %u, visit #%u",
                        ms, n, visit + 1);
          deps_.report.add_step("pop3.arrival", 0, deps_.config.send ? buf : "found");
          e = verify(client, settle, n, expected);
          if (!e) {
            deps_.report.add_step("pop3.devices", 0,
                                  "POP3 does not synchronise read state between devices (use IMAP "
                                  "for that)");
            if (deps_.config.send && !deps_.config.keep) client.dele(n);
            client.quit();
            pump.run_until([&] { return session.finished(); });
            if (session.phase() == Session::Phase::failed) e = session.error();
            if (!e && deps_.config.send && !deps_.config.keep)
              deps_.report.add_step("pop3.cleanup", 0,
                                    "deleted message " + std::to_string(n) + " (only this one)");
          }
          pump.remove(session);
          return e;
        }
      }
      if (!e) {
        client.quit();
        pump.run_until([&] { return session.finished(); });
        if (session.phase() == Session::Phase::failed) e = session.error();
      }
      pump.remove(session);
      if (e) return e;
      Millis now = monotonic_ms();
      if (now >= deadline) break;
      pump.run_until([] { return false; }, std::min(deadline, now + poll_gap(visit)));
    }
    Error e = make_error(Category::delivery, "roundtrip.not_delivered",
                         "the message did not arrive within " +
                             std::to_string(deps_.config.delivery_timeout / 1000) + " s");
    e.step = "pop3.arrival";
    return e;
  }

 private:
  template <typename Settle>
  Error verify(Pop3Client& client, Settle& settle, std::uint32_t n, const Expected& expected) {
    std::int64_t start = monotonic_us();
    client.retrieve(n);
    if (Error e = settle()) return e;
    const Pop3Message& m = client.retrieved();
    Error e;
    if (m.token != expected.token) {
      e = make_error(Category::delivery, "roundtrip.modified",
                     "the token header of the read-back message differs from what was sent");
    } else if (!expected.body_digest.empty() && m.body_digest != expected.body_digest) {
      e = make_error(Category::delivery, "roundtrip.modified",
                     "the body of the read-back message differs from what was sent");
      e.cause = "the message was modified in transit (a filter, footer or re-encoding)";
      e.fix = "check for gateways that rewrite messages (disclaimers, antivirus, encoding)";
    }
    if (e) {
      e.step = "pop3.verify";
      return e;
    }
    deps_.report.add_step("pop3.verify", ms_since(start),
                          "token and body intact, " + std::to_string(m.size) + " bytes");
    return {};
  }

  ReadbackDeps deps_;
};

}  // namespace

std::unique_ptr<Readback> make_pop3_readback(const ReadbackDeps& deps) {
  return std::make_unique<Pop3Readback>(deps);
}

}  // namespace mv
