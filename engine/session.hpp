// SPDX-License-Identifier: Apache-2.0
// One connection to one server, from TCP connect through TLS to the end of its protocol
// conversation: the engine-side half of the sans-I/O split. It owns the socket, the TLS stream and
// the deadlines; the Conversation it drives owns every protocol decision. The pump asks a session
// what to wait for and tells it what happened; a session never blocks.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/report.hpp"
#include "engine/trace.hpp"
#include "engine/transport.hpp"
#include "protocols/common/conversation.hpp"
#include "protocols/common/tls_mode.hpp"
#include "tls/stream.hpp"

namespace mv {

class Clock;
class Pump;

struct Endpoint {
  std::string host;
  unsigned port = 0;
  TlsMode tls = TlsMode::starttls;
  Family family = Family::any;
  // The name the certificate must carry; empty: host.
  std::string tls_name;
  // Where to connect instead of looking host up (--resolve, like curl's): address literals,
  // comma-separated, tried in order, or another name (--connect-to); empty: host. host stays
  // the name checked against the certificate and used for provider knowledge.
  std::string address;
  unsigned connect_port = 0;  // the port to connect to instead of port (--connect-to); 0: port
};

struct Timeouts {
  Millis connect = 10'000;    // per address tried
  Millis handshake = 10'000;  // one TLS handshake
  Millis idle = 30'000;       // waiting for the server's next bytes
};

class Session {
 public:
  // transport makes the connection and its stream (TCP in a run, memory in tests); prefix names
  // the steps ("smtp" → "smtp.connect", "smtp.tls"); report receives every step. trace, when
  // given, receives every byte (credentials redacted) and every phase change. Times come from
  // the clock of the pump the session is added to.
  Session(Transport& transport, std::string prefix, Endpoint endpoint, TlsContext& tls,
          Conversation& conversation, Timeouts timeouts, Report& report, Trace* trace = nullptr);
  // Leaves the pump it was added to.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  enum class Phase { connecting, handshaking, talking, closed, failed };
  Phase phase() const { return phase_; }

  // Dry runs: close the connection (cleanly, without a word of protocol after it) once TCP is
  // connected, or once TLS is established, and count that as finished.
  enum class StopAt { end, connect, tls };
  void stop_at(StopAt stop) { stop_at_ = stop; }
  bool finished() const { return phase_ == Phase::closed || phase_ == Phase::failed; }
  // Set once phase() is failed: from the connector, the stream or the conversation.
  const Error& error() const { return error_; }
  const TlsInfo* tls_info() const;
  const std::string& peer() const { return peer_; }

  // For the pump: the descriptor and events to poll (fd -1: nothing to wait for on a socket),
  // whether there is work to do without waiting (not started, decrypted bytes buffered, or output
  // the engine queued between pump runs), the earliest time the session wants to run.
  int poll_fd() const;
  short poll_events() const;
  bool ready_now();
  Millis next_deadline() const;
  // Run after poll: revents for our fd (0 when it was not polled or nothing happened).
  void on_poll(short revents, Millis now);

 private:
  friend class Pump;  // keeps pump_: the pump that drives this session, if any
  void start(Millis now);
  void advance(Millis now);
  bool pump_conversation(Millis now);
  void handshake(Millis now);
  void record_events();
  void fail(Error e);
  std::string own_step(std::string step) const;
  void fail_timeout(ErrorKind kind, const std::string& what);
  void start_window(Millis now);
  void check_progress(Millis now);
  double elapsed_ms();

  Transport& transport_;
  std::string prefix_;
  Endpoint endpoint_;
  TlsContext& tls_;
  Conversation& conv_;
  Timeouts timeouts_;
  Report& report_;
  Trace* trace_;
  Pump* pump_ = nullptr;
  const Clock* clock_ = nullptr;  // the pump's, from start()

  Phase phase_ = Phase::connecting;
  StopAt stop_at_ = StopAt::end;
  std::unique_ptr<Dial> connector_;
  std::unique_ptr<Stream> stream_;
  Error error_;
  std::string peer_;
  bool upgrading_ = false;   // handshake after STARTTLS (vs implicit TLS)
  bool want_write_ = false;  // output pending or TLS wants to write
  bool hs_want_write_ = false;
  Millis deadline_ = 0;
  std::int64_t mark_us_ = 0;  // when the current step began
  bool wrote_since_event_ = false;
  bool started_ = false;
  bool received_any_ = false;  // any byte from the server yet (a greeting)
  Millis window_start_ = -1;   // current progress window of a step (-1: none running)
  std::size_t window_bytes_ = 0;
  bool window_checked_ = false;  // the window's end passed; later bytes are checked as they come
};

}  // namespace mv
