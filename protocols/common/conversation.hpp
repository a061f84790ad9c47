// SPDX-License-Identifier: Apache-2.0
// The sans-I/O contract every protocol client (SMTP, IMAP, POP3) implements, and the only thing
// the engine's pump knows about them. A conversation never blocks, never touches a socket and never
// reads the clock: the pump feeds it bytes and the time, and asks what to send and what happened.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace mv {

using Millis = std::int64_t;  // monotonic milliseconds, supplied by the caller

// Something a report wants to show: a step finished (greeting, ehlo, starttls, auth, mail, ...).
struct Event {
  std::string step;    // e.g. "smtp.greeting", "smtp.auth", "smtp.data"
  std::string detail;  // human facts, e.g. "mechanism PLAIN", "queued as 4Xy1Z"
};

class Conversation {
 public:
  virtual ~Conversation() = default;

  // Bytes received from the server, in any split. May queue output, events, or fail.
  virtual void on_bytes(std::string_view data) = 0;
  // The server closed the connection (EOF). Fails unless the conversation was finished.
  virtual void on_eof() = 0;
  // Bytes to send now; empty when nothing is pending. Valid until the next call on this object.
  virtual std::string_view output() = 0;
  // The pump wrote n bytes of output().
  virtual void consume(std::size_t n) = 0;
  // True while output() carries a credential (AUTH, LOGIN, PASS, SASL responses), so a wire trace
  // can redact it. Conservative: may be true for a whole authentication exchange.
  virtual bool output_sensitive() const { return false; }

  // True while the conversation waits for the pump to run a TLS handshake (after a STARTTLS
  // reply). The pump must not read plaintext in that state; it calls on_tls_ready() when done.
  virtual bool wants_tls() const = 0;
  virtual void on_tls_ready() = 0;

  // Timers: the time the conversation wants to be woken (e.g. a poll interval), and the wake-up.
  virtual std::optional<Millis> wake_at() const { return std::nullopt; }
  virtual void on_time(Millis /*now*/) {}

  // The next thing that happened, oldest first; nullopt when none is pending.
  virtual std::optional<Event> next_event() = 0;

  // Finished successfully and nothing more to send: the pump may close the connection.
  virtual bool done() const = 0;
  // Failed; sticky: once set it stays set and the conversation sends nothing more.
  virtual const Error& error() const = 0;

  // Told every state change, by the states' names ("ehlo" -> "starttls"), for --trace. Each client
  // changes state in one set_state() that calls state_changed().
  using StateObserver = std::function<void(std::string_view from, std::string_view to)>;
  void observe_states(StateObserver observer) { state_observer_ = std::move(observer); }

 protected:
  void state_changed(std::string_view from, std::string_view to) const {
    if (state_observer_ && from != to) state_observer_(from, to);
  }

 private:
  StateObserver state_observer_;
};

}  // namespace mv
