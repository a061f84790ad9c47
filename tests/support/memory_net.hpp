// SPDX-License-Identifier: Apache-2.0
// Scripted servers in memory, on a virtual clock: the engine's clock, poller and transport
// (engine/clock.hpp, poller.hpp, transport.hpp) for tests that run whole plans against scripted
// peers without the network and without waiting. A dial to a port a script listens on gets an
// AF_UNIX socketpair (the kernel's memory buffers: no address, no port, no TCP); the engine's end
// goes through the real Stream (mbedTLS over it for the TLS cases), the far end runs the script
// on a thread of its own, as a ServerConn (tests/support/test_pki.hpp). A dial to any other port
// is refused, as a closed loopback port is.
// The clock moves only when the loop has nothing to do and every peer is quiet: waiting for the
// client's bytes (none pending), paused until a virtual time (ServerConn::pause), or ended. So
// "the stalled server is given up at exactly the idle timeout" is an exact assertion, whatever
// the machine's load. A wait that finds the peers busy for 10 s of real time (a script bug) gives
// up and sets stuck(), which run helpers check.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/transport.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/virtual_time.hpp"

namespace mv::test {

class MemoryNet final : public VirtualTime, public Transport {
 public:
  MemoryNet() = default;
  MemoryNet(const MemoryNet&) = delete;
  MemoryNet& operator=(const MemoryNet&) = delete;
  ~MemoryNet() override {
    stop_ = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      changed_.notify_all();  // paused peers
    }
    for (auto& p : peers_)
      if (p->thread.joinable()) p->thread.join();
  }

  // A port of its own whose every connection (up to options.connections) runs script, after the
  // server's handshake when options name a certificate (implicit TLS).
  unsigned listen(ServerOptions options, ServerScript script) {
    if (!options.cert_file.empty()) options.implicit_tls = true;
    std::lock_guard<std::mutex> lock(mutex_);
    const unsigned port = next_port_++;
    Listener& l = listeners_[port];
    l.options = std::move(options);
    l.script = std::move(script);
    return port;
  }
  // Waits until every connection the port's listener accepted has ended, and at least one came;
  // meanwhile virtual time goes on for peers that pause (a script that keeps dripping after the
  // client gave up). False after timeout_ms of real time (a safety bound, not a synchronisation).
  bool wait_done(unsigned port, int timeout_ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    const Listener& l = listeners_.at(port);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (l.accepted > 0 && l.ended == l.accepted) return true;
      if (quiet()) wake_paused(std::numeric_limits<Millis>::max());
      if (changed_.wait_until(lock, give_up) == std::cv_status::timeout)
        return l.accepted > 0 && l.ended == l.accepted;
    }
  }
  // What went wrong on the port's connections (handshake, I/O), or "no connection accepted".
  std::string failure(unsigned port) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const Listener& l = listeners_.at(port);
    return l.accepted == 0 ? "no connection accepted" : l.failure;
  }
  // A wait of the loop found the peers busy, without any change, for 10 s of real time.
  bool stuck() const { return stuck_; }

  int wait(pollfd* fds, std::size_t count, int timeout_ms) override {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      const int ready = ::poll(fds, static_cast<nfds_t>(count), 0);
      if (ready != 0) return ready;
      if (quiet()) break;
      // Every change of a peer's state notifies; a peer that sends blocks again or ends.
      if (changed_.wait_until(lock, give_up) == std::cv_status::timeout && !quiet()) {
        stuck_ = true;
        break;
      }
    }
    wake_paused(now() + timeout_ms);
    return 0;
  }

  std::unique_ptr<Dial> dial(const std::string&, unsigned port, Family) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = listeners_.find(port);
    if (it == listeners_.end() || it->second.accepted >= it->second.options.connections)
      return std::make_unique<MemoryDial>(-1, port);
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
      return std::make_unique<MemoryDial>(-1, port);
    Listener& l = it->second;
    auto peer = std::make_unique<Peer>(*this);
    Peer& p = *peer;
    peers_.push_back(std::move(peer));
    const std::size_t index = l.accepted++;
    p.thread = std::thread([this, &l, &p, fd = fds[1], index] { serve(l, p, fd, index); });
    return std::make_unique<MemoryDial>(fds[0], port);
  }

 private:
  enum class State { running, reading, writing, paused, ended };

  struct Listener {
    ServerOptions options;
    ServerScript script;
    std::size_t accepted = 0;
    std::size_t ended = 0;
    std::string failure;
  };

  struct Peer final : PeerActivity {
    explicit Peer(MemoryNet& n) : net(n) {}
    void blocked(int fd_, short events) override {
      std::lock_guard<std::mutex> lock(net.mutex_);
      fd = fd_;
      state = (events & POLLIN) ? State::reading : State::writing;
      net.changed_.notify_all();
    }
    void running() override {
      std::lock_guard<std::mutex> lock(net.mutex_);
      state = State::running;
      net.changed_.notify_all();
    }
    void pause(int ms) override {
      std::unique_lock<std::mutex> lock(net.mutex_);
      wake = net.now() + ms;
      state = State::paused;
      net.changed_.notify_all();
      net.changed_.wait(lock, [&] { return net.now() >= wake || net.stop_; });
      state = State::running;
    }
    MemoryNet& net;
    State state = State::running;  // from the dial on: not quiet until it first waits
    int fd = -1;
    Millis wake = 0;
    std::thread thread;
  };

  // An in-memory connection: connected at once (its far end served already), or refused.
  class MemoryDial final : public Dial {
   public:
    MemoryDial(int fd, unsigned port) : fd_(fd), peer_("127.0.0.1:" + std::to_string(port)) {
      if (fd_ < 0)
        error_ = make_error(ErrorKind::refused, Protocol::none,
                            "connection to localhost port " + std::to_string(port) +
                                " refused: nothing listens there (tried 127.0.0.1: refused)");
    }
    ~MemoryDial() override {
      if (fd_ >= 0) ::close(fd_);
    }
    Status status() const override { return fd_ >= 0 ? Status::connected : Status::failed; }
    int fd() const override { return fd_; }
    short events() const override { return POLLOUT; }
    Status on_ready() override { return status(); }
    Status on_attempt_timeout() override { return status(); }
    int release() override { return std::exchange(fd_, -1); }
    const Error& error() const override { return error_; }
    const std::string& peer() const override { return peer_; }

   private:
    int fd_;
    std::string peer_;
    Error error_;
  };

  // Moves the clock to `until` or to the first paused peer's time, if sooner (none: stays), and
  // lets the peers whose time has come run. Under mutex_.
  void wake_paused(Millis until) {
    for (const auto& p : peers_)
      if (p->state == State::paused && p->wake < until) until = p->wake;
    if (until != std::numeric_limits<Millis>::max()) advance_to(until);
    for (const auto& p : peers_)
      if (p->state == State::paused && p->wake <= now()) p->state = State::running;
    changed_.notify_all();
  }

  // Every peer waits for bytes that are not there, is paused or has ended.
  bool quiet() const {
    for (const auto& p : peers_) {
      if (p->state == State::running || p->state == State::writing) return false;
      if (p->state == State::reading) {
        pollfd pfd{p->fd, POLLIN, 0};
        if (::poll(&pfd, 1, 0) != 0) return false;
      }
    }
    return true;
  }

  void serve(Listener& l, Peer& p, int fd, std::size_t index) {
    std::string failure;
    {
      ServerConn conn(fd, l.options.io_timeout_ms, stop_, index);
      conn.observe(&p);
      if (!l.options.implicit_tls || conn.start_tls(l.options.cert_file, l.options.key_file)) {
        if (l.script) l.script(conn);
      }
      failure = conn.failure();
      conn.observe(nullptr);
    }  // closed
    std::lock_guard<std::mutex> lock(mutex_);
    if (l.failure.empty()) l.failure = failure;
    p.state = State::ended;
    ++l.ended;
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<unsigned, Listener> listeners_;  // node-based: peers' threads keep references
  std::vector<std::unique_ptr<Peer>> peers_;
  unsigned next_port_ = 20001;
  std::atomic<bool> stop_{false};
  bool stuck_ = false;
};

}  // namespace mv::test
