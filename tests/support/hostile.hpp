// SPDX-License-Identifier: Apache-2.0
// Hostile scripted servers for the engine: a server whose script speaks lines that no real server
// would, while every byte the client sends is recorded (after TLS: the decrypted bytes). Tests
// drive the real engine (mv::run) against it and assert the error code, what reached the wire (no
// credentials, no MAIL, no ClientHello after an injection) and when run() returned. The servers
// live in memory on a virtual clock (tests/support/memory_net.hpp), so "when" is an exact virtual
// time; a few smoke tests serve the same scripts over real loopback sockets (LoopbackServer) and
// keep a generous wall-clock bound. A script that sees something it did not expect records a
// script error and stops.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/pump.hpp"
#include "engine/run.hpp"
#include "protocols/common/base64.hpp"
#include "tests/support/memory_net.hpp"
#include "tests/support/test_pki.hpp"

namespace mv::test::hostile {

using test::MemoryNet;

inline constexpr std::string_view kCanary = "Canary-7f3e9a";
inline constexpr const char* kUser = "alice@example.test";

// Everything the client sent, in order, with a movable mark ("bytes since the STARTTLS reply").
class Wire {
 public:
  void add(std::string_view bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    all_.append(bytes);
  }
  void mark() {
    std::lock_guard<std::mutex> lock(mutex_);
    mark_ = all_.size();
  }
  std::string all() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return all_;
  }
  std::string since_mark() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return all_.substr(std::min(mark_, all_.size()));
  }
  std::vector<std::string> lines() const {
    const std::string s = all();
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
      std::size_t nl = s.find('\n', start);
      if (nl == std::string::npos) nl = s.size();
      std::string line = s.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      out.push_back(std::move(line));
      start = nl + 1;
    }
    return out;
  }
  // A command line with this verb as its first word (SMTP, POP3) or second word (IMAP, after the
  // tag), case-insensitive.
  bool saw(std::string_view verb) const {
    for (const std::string& line : lines()) {
      const auto w = words(line);
      for (std::size_t i = 0; i < w.size() && i < 2; ++i) {
        if (iequal(w[i], verb)) return true;
      }
    }
    return false;
  }
  // The secret in clear, or inside any base64 word (SASL PLAIN, LOGIN, XOAUTH2 responses).
  bool leaks(std::string_view secret) const {
    const std::string s = all();
    if (s.find(secret) != std::string::npos) return true;
    for (const std::string& line : lines()) {
      for (const std::string& w : words(line)) {
        if (auto decoded = mv::base64_decode(w);
            decoded && decoded->find(secret) != std::string::npos)
          return true;
      }
    }
    return false;
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return all_.size();
  }

  static std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && s[i] == ' ')
        ++i;
      const std::size_t start = i;
      while (i < s.size() && s[i] != ' ')
        ++i;
      if (i > start) out.emplace_back(s.substr(start, i - start));
    }
    return out;
  }
  static bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::toupper(static_cast<unsigned char>(x)) ==
                    std::toupper(static_cast<unsigned char>(y));
           });
  }

 private:
  mutable std::mutex mutex_;
  std::string all_;
  std::size_t mark_ = 0;
};

struct ScriptAbort {};

// The server side of one conversation: ServerConn plus recording and expectations.
class Peer {
 public:
  Peer(ServerConn& conn, Wire& wire, std::string& script_error)
      : conn_(conn), wire_(wire), script_error_(script_error) {}

  void send(std::string_view data) { conn_.send(data); }
  // One line as received (CRLF included); nullopt at EOF or timeout.
  std::optional<std::string> line() {
    auto l = conn_.read_line();
    if (l) wire_.add(*l);
    return l;
  }
  // The next line must start with `prefix`; otherwise the script stops with an error. Returns the
  // line without its CRLF.
  std::string expect(std::string_view prefix) {
    auto l = line();
    if (!l) abort("expected \"" + std::string(prefix) + "\", got EOF");
    std::string s = strip(*l);
    if (s.compare(0, prefix.size(), prefix) != 0)
      abort("expected \"" + std::string(prefix) + "\", got \"" + s + "\"");
    return s;
  }
  // IMAP: the next line must be "<tag> <command>..."; returns the tag.
  std::string expect_imap(std::string_view command) {
    auto l = line();
    if (!l) abort("expected IMAP " + std::string(command) + ", got EOF");
    const std::string s = strip(*l);
    const std::size_t sp = s.find(' ');
    if (sp == std::string::npos || sp == 0 || s.compare(sp + 1, command.size(), command) != 0)
      abort("expected IMAP " + std::string(command) + ", got \"" + s + "\"");
    return s.substr(0, sp);
  }
  // Records everything until the client closes (or the server's I/O timeout).
  void drain() {
    for (;;) {
      std::string more = conn_.read_some();
      if (more.empty()) return;
      wire_.add(more);
    }
  }
  bool start_tls(const std::string& cert, const std::string& key) {
    return conn_.start_tls(cert, key);
  }
  // The server takes its time: ms of the virtual clock (memory_net.hpp peers only).
  void pause(int ms) { conn_.pause(ms); }
  void close() { conn_.close(); }
  Wire& wire() { return wire_; }

  [[noreturn]] void abort(std::string what) {
    if (script_error_.empty()) script_error_ = std::move(what);
    throw ScriptAbort{};
  }

 private:
  static std::string strip(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
      s.pop_back();
    return s;
  }
  ServerConn& conn_;
  Wire& wire_;
  std::string& script_error_;
};

// SMTP over TLS: EHLO, AUTH PLAIN, MAIL, RCPT, up to the DATA command (not answered).
inline void smtp_to_data(Peer& p) {
  p.expect("EHLO localhost");
  p.send("250-mx.hostile.test\r\n250 AUTH PLAIN\r\n");
  p.expect("AUTH PLAIN ");
  p.send("235 2.7.0 Authentication successful\r\n");
  p.expect("MAIL FROM:<");
  p.send("250 2.1.0 Ok\r\n");
  p.expect("RCPT TO:<");
  p.send("250 2.1.5 Ok\r\n");
  p.expect("DATA");
}

// SMTP with implicit TLS: accepts one message as queue id Q1, then QUIT. `received`, when given,
// gets the message as submitted (dot-unstuffed, CRLF line ends) before the 250 goes out: the 250
// lets the run go on, so another connection's script may need the message from then on.
inline void smtp_accept_message(Peer& p,
                                const std::function<void(std::string)>& received = nullptr) {
  p.send("220 mx.hostile.test ESMTP\r\n");
  smtp_to_data(p);
  p.send("354 End data with <CR><LF>.<CR><LF>\r\n");
  std::string data;
  for (auto l = p.line(); l && *l != ".\r\n"; l = p.line()) {
    data += l->rfind("..", 0) == 0 ? l->substr(1) : *l;
  }
  if (received) received(std::move(data));
  p.send("250 2.0.0 Ok: queued as Q1\r\n");
  p.expect("QUIT");
  p.send("221 2.0.0 Bye\r\n");
}

using HostileScript = std::function<void(Peer&)>;

class HostileServer {
 public:
  // In memory, on net's virtual clock: plaintext at accept; set cert/key for implicit TLS.
  HostileServer(MemoryNet& net, HostileScript script, const std::string& cert = {},
                const std::string& key = {})
      : HostileServer(net, std::vector<HostileScript>{std::move(script)}, cert, key) {}
  // One script per connection, in accept order, served at the same time (a run's second IMAP
  // session, or the one that looks into Sent, next to the first). All share one wire record.
  HostileServer(MemoryNet& net, std::vector<HostileScript> scripts, const std::string& cert,
                const std::string& key)
      : state_(std::make_shared<State>(scripts.size())), net_(&net) {
    const std::size_t n = scripts.size();
    port_ = net.listen(options(cert, key, n), serve(std::move(scripts)));
  }
  // The smoke variant: over a real loopback socket, on the wall clock.
  explicit HostileServer(HostileScript script, const std::string& cert = {},
                         const std::string& key = {})
      : state_(std::make_shared<State>(1)),
        loopback_(std::make_unique<LoopbackServer>(
            options(cert, key, 1), serve(std::vector<HostileScript>{std::move(script)}))) {
    port_ = loopback_->port();
  }

  unsigned port() const { return port_; }
  bool listening() const { return !loopback_ || loopback_->listening(); }
  // Waits for the script (and its final drain) to end; then the wire is complete. The bound is
  // real time: a safety net, never what a test waits for.
  bool finish(int timeout_ms = 3000) {
    return loopback_ ? loopback_->wait_done(timeout_ms) : net_->wait_done(port_, timeout_ms);
  }
  const Wire& wire() const { return state_->wire; }
  // The scripts' errors (each connection's own), joined; empty when every script ran through.
  std::string script_error() const {
    std::string all;
    for (std::size_t i = 0; i < state_->script_errors.size(); ++i) {
      if (state_->script_errors[i].empty()) continue;
      if (!all.empty()) all += "; ";
      all += (state_->script_errors.size() > 1 ? "connection " + std::to_string(i) + ": " : "") +
             state_->script_errors[i];
    }
    return all;
  }
  std::string failure() const { return loopback_ ? loopback_->failure() : net_->failure(port_); }

 private:
  static ServerOptions options(const std::string& cert, const std::string& key,
                               std::size_t connections) {
    ServerOptions o;
    o.cert_file = cert;
    o.key_file = key;
    o.io_timeout_ms = 4000;
    o.connections = connections;
    return o;
  }
  struct State {
    explicit State(std::size_t connections) : script_errors(connections) {}
    Wire wire;
    std::vector<std::string> script_errors;  // one per connection: each written by its thread
  };
  ServerScript serve(std::vector<HostileScript> scripts) {
    return [st = state_, scripts = std::move(scripts)](ServerConn& c) {
      Peer peer(c, st->wire, st->script_errors[c.index()]);
      try {
        scripts[c.index()](peer);
      } catch (const ScriptAbort&) {
      }
      // Whatever the script did, keep reading until the client hangs up: everything it sends
      // afterwards is on the record too.
      peer.drain();
    };
  }
  std::shared_ptr<State> state_;
  MemoryNet* net_ = nullptr;
  std::unique_ptr<LoopbackServer> loopback_;
  unsigned port_ = 0;
};

// ---- engine side -------------------------------------------------------------------------------

// A throwaway CA and server certificate for one scripted server, removed with it.
struct Pki {
  TempDir dir;
  TestPki pki = TestPki::make(dir.path());
};

inline Endpoint local_endpoint(unsigned port, TlsMode mode) {
  Endpoint e;
  e.host = "localhost";
  e.port = port;
  e.tls = mode;
  e.family = Family::ipv4;  // the scripted server listens on 127.0.0.1 only
  return e;
}

inline Credentials canary_credentials() {
  Credentials c;
  c.user = kUser;
  c.secret = std::string(kCanary);
  return c;
}

inline RunConfig base_config(const std::string& ca_file) {
  RunConfig c;
  c.email = kUser;
  c.tls.ca_file = ca_file;
  c.timeouts.connect = 2000;
  c.timeouts.handshake = 2000;
  c.timeouts.idle = 1500;
  c.delivery_timeout = 200;
  c.body_size = 256;
  return c;
}

// Send-only over SMTP with the canary password.
inline RunConfig smtp_config(const std::string& ca_file, unsigned port,
                             TlsMode mode = TlsMode::starttls) {
  RunConfig c = base_config(ca_file);
  c.read_back = false;
  c.smtp.endpoint = local_endpoint(port, mode);
  c.smtp.credentials = canary_credentials();
  return c;
}

// Receive-only over IMAP or POP3, looking for token "abc", no extra checks.
inline RunConfig incoming_config(const std::string& ca_file, unsigned port, Receive receive,
                                 TlsMode mode = TlsMode::starttls) {
  RunConfig c = base_config(ca_file);
  c.send = false;
  c.receive = receive;
  c.find_token = "abc";
  c.check_devices = false;
  c.check_folders = false;
  c.incoming.endpoint = local_endpoint(port, mode);
  c.incoming.credentials = canary_credentials();
  return c;
}

// The full round trip over implicit TLS on both sides, to two scripted servers; folders checked,
// no second device (a scripted server takes one connection).
inline RunConfig roundtrip_config(const std::string& ca_file, unsigned smtp_port,
                                  unsigned imap_port) {
  RunConfig c = base_config(ca_file);
  c.smtp.endpoint = local_endpoint(smtp_port, TlsMode::implicit);
  c.smtp.credentials = canary_credentials();
  c.incoming.endpoint = local_endpoint(imap_port, TlsMode::implicit);
  c.incoming.credentials = canary_credentials();
  c.check_devices = false;
  c.delivery_timeout = 10'000;
  return c;
}

struct Timed {
  RunResult result;
  double ms = 0;  // how long run() took: virtual ms in memory, wall-clock ms over sockets
  const Error& error() const { return result.report.error; }
};

// The run in memory: t.ms is exact virtual time. The peers never stalled the loop (stuck()).
inline Timed run_timed(MemoryNet& net, const RunConfig& config) {
  Pump pump(net, net, net);
  Timed t;
  const Millis start = net.now();
  t.result = run(config, pump);
  t.ms = static_cast<double>(net.now() - start);
  CHECK_FALSE_MESSAGE(net.stuck(), "a scripted peer kept the virtual clock waiting");
  return t;
}

// The smoke variant over real sockets: t.ms is wall-clock time.
inline Timed run_timed(const RunConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  Timed t;
  t.result = run(config);
  t.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return t;
}

// The run's outcome in one line, for INFO().
inline std::string describe(const Timed& t) {
  return "error: " + t.error().code + " " + t.error().detail + " / fix: " + t.error().fix;
}

// Runs the config against scripted servers, then waits for each to end: every script must have
// run through (a script that saw something unexpected says what).
inline Timed run_scripted(MemoryNet& net, const RunConfig& config,
                          std::initializer_list<HostileServer*> servers) {
  Timed t = run_timed(net, config);
  INFO(describe(t));
  for (HostileServer* s : servers) {
    REQUIRE(s->finish());
    CHECK_MESSAGE(s->script_error().empty(), s->script_error());
  }
  return t;
}

// The report's step of this name, nullptr when it has none.
inline const StepRecord* find_step(const Timed& t, std::string_view name) {
  for (const StepRecord& s : t.result.report.steps)
    if (s.name == name) return &s;
  return nullptr;
}

// IMAP: LOGOUT answered as servers do, BYE and then the tagged OK.
inline void imap_logout(Peer& p) {
  const std::string tag = p.expect_imap("LOGOUT");
  p.send("* BYE logging out\r\n" + tag + " OK done\r\n");
}

// The secret must not be in anything the report shows.
inline bool error_leaks(const Error& e, std::string_view secret) {
  for (const std::string* s : {&e.detail, &e.server_says, &e.cause, &e.fix, &e.step}) {
    if (s->find(secret) != std::string::npos) return true;
  }
  return false;
}

// A TLS record header (handshake, TLS 1.x) at the start of what the client sent.
inline bool looks_like_client_hello(std::string_view bytes) {
  return bytes.size() >= 3 && bytes[0] == '\x16' && bytes[1] == '\x03';
}

}  // namespace mv::test::hostile
