// SPDX-License-Identifier: Apache-2.0
#include "engine/session.hpp"

#include <poll.h>

#include <cstdio>

#include "core/limits.hpp"
#include "engine/clock.hpp"
#include "engine/pump.hpp"

namespace mv {

namespace {
// Within one idle period a step must either finish or move at least this many bytes.
constexpr std::size_t kMinBytesPerWindow = 1024;

std::string describe_tls(const TlsInfo& info) {
  std::string s = info.version + " " + info.cipher;
  if (!info.issuer.empty()) s += ", issuer " + info.issuer;
  s += ", expires in " + std::to_string(info.days_to_expiry) + " days";
  if (!info.verified) s += " (NOT verified)";
  if (info.resumed) s += ", session resumed";
  return s;
}
}  // namespace

Session::Session(Transport& transport, std::string prefix, Endpoint endpoint, TlsContext& tls,
                 Conversation& conversation, Timeouts timeouts, Report& report, Trace* trace)
    : transport_(transport),
      prefix_(std::move(prefix)),
      endpoint_(std::move(endpoint)),
      tls_(tls),
      conv_(conversation),
      timeouts_(timeouts),
      report_(report),
      trace_(trace) {
  // --trace shows the conversation's state changes beside the bytes that caused them.
  if (trace_) {
    conv_.observe_states([this](std::string_view from, std::string_view to) {
      trace_->note(prefix_, "state " + std::string(from) + " -> " + std::string(to));
    });
  }
}

Session::~Session() {
  if (trace_) conv_.observe_states(nullptr);
  if (pump_) pump_->remove(*this);
  if (stream_) stream_->close();
}

const TlsInfo* Session::tls_info() const {
  return stream_ && stream_->tls_active() ? &stream_->tls_info() : nullptr;
}

double Session::elapsed_ms() {
  const std::int64_t now = clock_->now_us();
  double ms = static_cast<double>(now - mark_us_) / 1000.0;
  mark_us_ = now;
  return ms;
}

// A second session of the same protocol ("imap.device2") names its steps after itself.
std::string Session::own_step(std::string step) const {
  if (auto dot = step.find('.'); dot != std::string::npos &&
                                 prefix_.find('.') != std::string::npos &&
                                 step.compare(0, prefix_.size(), prefix_) != 0)
    return prefix_ + step.substr(dot);
  return step;
}

void Session::fail(Error e) {
  if (e.step.empty())
    e.step = prefix_ + "." +
             (phase_ == Phase::connecting    ? "connect"
              : phase_ == Phase::handshaking ? "tls"
                                             : "talk");
  else
    e.step = own_step(std::move(e.step));
  report_.add_step(e.step, elapsed_ms(), e.detail, false);
  if (trace_) trace_->note(prefix_, "failed: " + e.code + ": " + e.detail);
  error_ = std::move(e);
  phase_ = Phase::failed;
  if (stream_) stream_->close();
  connector_.reset();
}

void Session::fail_timeout(ErrorKind kind, const std::string& what) {
  fail(make_error(kind, Protocol::none, what));
}

void Session::start(Millis now) {
  started_ = true;
  clock_ = &pump_->clock();
  mark_us_ = clock_->now_us();
  connector_ = transport_.dial(
      endpoint_.address.empty() ? endpoint_.host : endpoint_.address,
      endpoint_.connect_port != 0 ? endpoint_.connect_port : endpoint_.port, endpoint_.family);
  deadline_ = now + timeouts_.connect;
  if (connector_->status() == Dial::Status::failed) {
    Error e = connector_->error();
    e.step = prefix_ + ".connect";
    fail(std::move(e));
  }
}

int Session::poll_fd() const {
  switch (phase_) {
    case Phase::connecting:
      return connector_ ? connector_->fd() : -1;
    case Phase::handshaking:
    case Phase::talking:
      return stream_ ? stream_->fd() : -1;
    default:
      return -1;
  }
}

short Session::poll_events() const {
  switch (phase_) {
    case Phase::connecting:
      return connector_ ? connector_->events() : POLLOUT;
    case Phase::handshaking:
      return hs_want_write_ ? POLLOUT : POLLIN;
    case Phase::talking:
      return stream_->poll_events(want_write_);
    default:
      return 0;
  }
}

bool Session::ready_now() {
  if (!started_) return true;
  if (phase_ != Phase::talking || !stream_) return false;
  return stream_->has_pending() || (!want_write_ && !conv_.output().empty());
}

void Session::start_window(Millis now) {
  window_start_ = now;
  window_bytes_ = 0;
  window_checked_ = false;
}

// Bytes keep coming, but too few to finish a reply: a drip that would reset the idle timer
// forever. Within one idle period a step must finish (an event ends its window) or move at least
// kMinBytesPerWindow; bulk transfers do and get a fresh window. A stall (no byte for half an idle
// period) is left to the idle deadline, which names it as such.
void Session::check_progress(Millis now) {
  if (window_start_ < 0 || now < window_start_ + timeouts_.idle) return;
  window_checked_ = true;
  if (window_bytes_ >= kMinBytesPerWindow) {
    start_window(now);
    return;
  }
  const Millis last_byte = deadline_ - timeouts_.idle;
  if (now - last_byte < timeouts_.idle / 2) {
    fail_timeout(ErrorKind::too_slow, "the server sent only " + std::to_string(window_bytes_) +
                                          " bytes in " + seconds_text(timeouts_.idle) +
                                          " without finishing its reply");
  }
}

Millis Session::next_deadline() const {
  Millis d = deadline_;
  if (phase_ == Phase::talking && window_start_ >= 0 && !window_checked_ &&
      window_start_ + timeouts_.idle < d)
    d = window_start_ + timeouts_.idle;
  if (phase_ == Phase::talking) {
    if (auto wake = conv_.wake_at(); wake && *wake < d) d = *wake;
  }
  return d;
}

void Session::on_poll(short revents, Millis now) {
  if (finished()) return;
  if (!started_) {
    start(now);
    return;
  }
  switch (phase_) {
    case Phase::connecting: {
      Dial::Status st = Dial::Status::in_progress;
      if (revents != 0) {
        st = connector_->on_ready();
      } else if (now >= deadline_) {
        st = connector_->on_attempt_timeout();
      }
      if (st == Dial::Status::in_progress) {
        if (revents != 0 || now >= deadline_) deadline_ = now + timeouts_.connect;
        return;
      }
      if (st == Dial::Status::failed) {
        Error e = connector_->error();
        e.step = prefix_ + ".connect";
        fail(std::move(e));
        return;
      }
      peer_ = connector_->peer();
      stream_ = transport_.open(connector_->release());
      connector_.reset();
      report_.add_step(prefix_ + ".connect", elapsed_ms(), "connected to " + peer_);
      report_.peers.push_back({prefix_, peer_});
      if (trace_) trace_->note(prefix_, "connected to " + peer_);
      if (stop_at_ == StopAt::connect) {
        stream_->close();
        phase_ = Phase::closed;
        return;
      }
      if (endpoint_.tls == TlsMode::implicit) {
        stream_->start_tls(tls_, endpoint_.tls_name.empty() ? endpoint_.host : endpoint_.tls_name,
                           endpoint_.host + ":" + std::to_string(endpoint_.port));
        phase_ = Phase::handshaking;
        deadline_ = now + timeouts_.handshake;
        handshake(now);
      } else {
        phase_ = Phase::talking;
        deadline_ = now + timeouts_.idle;
        advance(now);
      }
      return;
    }
    case Phase::handshaking:
      if (revents == 0 && now >= deadline_) {
        fail_timeout(ErrorKind::timeout, "the TLS handshake did not finish in time");
        return;
      }
      handshake(now);
      return;
    case Phase::talking:
      if (revents == 0 && !stream_->has_pending()) {
        if (auto wake = conv_.wake_at(); wake && now >= *wake) {
          conv_.on_time(now);
          advance(now);
          return;
        }
        if (now >= deadline_) {
          // Silence before the first byte of a plaintext session is the classic sign of an
          // implicit-TLS port: the server waits for our TLS ClientHello, we wait for its greeting.
          if (!received_any_ && !stream_->tls_active()) {
            fail_timeout(ErrorKind::no_greeting,
                         "the server sent no greeting in " + seconds_text(timeouts_.idle));
          } else {
            fail_timeout(ErrorKind::timeout, "the server sent nothing for " +
                                                 seconds_text(timeouts_.idle) +
                                                 " while a reply was due");
          }
          return;
        }
      }
      advance(now);
      if (phase_ == Phase::talking) check_progress(now);
      return;
    default:
      return;
  }
}

void Session::handshake(Millis now) {
  switch (stream_->handshake()) {
    case Stream::Handshake::want_read:
      hs_want_write_ = false;
      return;
    case Stream::Handshake::want_write:
      hs_want_write_ = true;
      return;
    case Stream::Handshake::failed: {
      Error e = stream_->error();
      e.step = prefix_ + ".tls";
      fail(std::move(e));
      return;
    }
    case Stream::Handshake::done:
      break;
  }
  const TlsInfo& info = stream_->tls_info();
  report_.add_step(prefix_ + ".tls", elapsed_ms(), describe_tls(info));
  report_.tls.push_back({prefix_, info.version, info.cipher, info.subject, info.issuer,
                         info.days_to_expiry, info.verified, info.resumed, info.not_after});
  if (trace_) trace_->note(prefix_, "TLS established: " + describe_tls(stream_->tls_info()));
  if (stop_at_ == StopAt::tls) {
    stream_->close();
    phase_ = Phase::closed;
    return;
  }
  phase_ = Phase::talking;
  deadline_ = now + timeouts_.idle;
  if (upgrading_) conv_.on_tls_ready();
  upgrading_ = false;
  advance(now);
}

void Session::advance(Millis now) {
  while (phase_ == Phase::talking && pump_conversation(now)) {
  }
}

// One round of: write what the conversation has, read what the server sent. Returns true when
// progress was made and another round may make more.
bool Session::pump_conversation(Millis now) {
  bool progress = false;
  // Write everything pending; stop at would_block and ask the pump for POLLOUT.
  want_write_ = false;
  for (;;) {
    std::string_view out = conv_.output();
    if (out.empty()) break;
    IoResult r = stream_->write(out.data(), out.size());
    if (r.status == IoResult::Status::would_block) {
      want_write_ = true;
      break;
    }
    if (r.status != IoResult::Status::ok) {
      fail(stream_->error() ? stream_->error()
                            : make_error(ErrorKind::reset, Protocol::none,
                                         "the connection broke while sending"));
      return false;
    }
    if (trace_) trace_->sent(prefix_, out.substr(0, r.bytes), conv_.output_sensitive());
    if (!wrote_since_event_) {
      // A step lasts from its command to its reply, not from the previous reply.
      mark_us_ = clock_->now_us();
      wrote_since_event_ = true;
      start_window(now);
    }
    conv_.consume(r.bytes);
    progress = true;
  }
  record_events();
  if (conv_.error()) {
    fail(conv_.error());
    return false;
  }
  if (conv_.done() && !want_write_) {
    stream_->close();
    phase_ = Phase::closed;
    return false;
  }
  if (conv_.wants_tls()) {
    // Never read plaintext past a STARTTLS reply: the next bytes must be a TLS record.
    upgrading_ = true;
    stream_->start_tls(tls_, endpoint_.tls_name.empty() ? endpoint_.host : endpoint_.tls_name,
                       endpoint_.host + ":" + std::to_string(endpoint_.port));
    phase_ = Phase::handshaking;
    deadline_ = now + timeouts_.handshake;
    elapsed_ms();
    handshake(now);
    return false;
  }
  char buf[kReadChunk];
  IoResult r = stream_->read(buf, sizeof buf);
  switch (r.status) {
    case IoResult::Status::would_block:
      return progress;
    case IoResult::Status::eof:
      conv_.on_eof();
      record_events();
      if (conv_.error()) {
        fail(conv_.error());
      } else {
        stream_->close();
        phase_ = Phase::closed;
      }
      return false;
    case IoResult::Status::failed:
      fail(stream_->error() ? stream_->error()
                            : make_error(ErrorKind::reset, Protocol::none,
                                         "the connection broke while receiving"));
      return false;
    case IoResult::Status::ok:
      break;
  }
  deadline_ = now + timeouts_.idle;
  received_any_ = true;
  if (window_start_ < 0) start_window(now);
  window_bytes_ += r.bytes;
  if (trace_) trace_->received(prefix_, std::string_view(buf, r.bytes));
  conv_.on_bytes(std::string_view(buf, r.bytes));
  // A reply's step ends now: recorded before the next command goes out (and restarts the
  // clock), or every step answered together with the next command would show 0.0 ms.
  record_events();
  return true;
}

void Session::record_events() {
  while (auto ev = conv_.next_event()) {
    report_.add_step(own_step(std::move(ev->step)), elapsed_ms(), ev->detail);
    wrote_since_event_ = false;
    window_start_ = -1;  // the step is over; the next one starts its own window
  }
}

}  // namespace mv
