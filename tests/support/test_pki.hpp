// SPDX-License-Identifier: Apache-2.0
// Test-only PKI and TLS peers, built in-process with mbedTLS so no test needs openssl or network:
// - TempDir: a private directory under /tmp, removed with everything in it on destruction.
// - TestCa: a throwaway EC P-256 CA that issues server certificates with a chosen CN, DNS SANs,
//   loopback IP SANs and validity window (so expired / not-yet-valid / wrong-name certificates
//   are one line each), written as PEM files.
// - LoopbackServer: one thread accepting ONE connection on 127.0.0.1 (or ::1), port 0, then
//   running a script against a ServerConn (plaintext, implicit TLS, or a STARTTLS-style upgrade
//   in the middle). Hostile scripted servers of other suites reuse it.
// Promises: every wait is bounded (io_timeout_ms), destruction never hangs, failures inside the
// server thread are recorded (failure()) instead of thrown across threads. Helper errors on the
// test's own thread throw std::runtime_error, which doctest reports.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mv::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }
  // Writes content to file(name) and returns its path.
  std::string write(std::string_view name, std::string_view content) const;

 private:
  std::string path_;
};

struct CertSpec {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names = {"localhost"};
  bool loopback_ips = true;  // iPAddress SANs 127.0.0.1 and ::1
  int valid_from_days = -1;  // relative to now; negative is in the past
  int valid_to_days = 30;
};

struct CertFiles {
  std::string cert;  // PEM certificate
  std::string key;   // PEM private key (EC P-256, unencrypted)
};

class TestCa {
 public:
  // Creates the CA key and self-signed certificate, written to <dir>/<stem>-ca.pem.
  TestCa(const std::string& dir, std::string name = "mailverify test CA",
         std::string stem = "test");
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& cert_file() const;
  const std::string& name() const;
  // Issues a server certificate signed by this CA: <dir>/<stem>.crt and <dir>/<stem>.key.
  CertFiles issue(const std::string& stem, const CertSpec& spec = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The common case in one call: a CA plus a "localhost" server certificate valid for 30 days.
struct TestPki {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  static TestPki make(const std::string& dir);
};

// Hears when a connection's thread blocks on its descriptor and when it runs on, so a virtual
// clock (tests/support/memory_net.hpp) moves only while every scripted peer waits for the client.
class PeerActivity {
 public:
  virtual ~PeerActivity() = default;
  // About to wait for fd to be ready for events (POLLIN: the client's bytes; POLLOUT: room).
  virtual void blocked(int fd, short events) = 0;
  virtual void running() = 0;
  // Holds the peer's thread for ms of the virtual clock (a server taking its time).
  virtual void pause(int ms) = 0;
};

// The accepted connection as the server script sees it: blocking calls with a deadline.
class ServerConn {
 public:
  struct Tls;
  ServerConn(int fd, int timeout_ms, const std::atomic<bool>& stop, std::size_t index = 0);
  ~ServerConn();
  ServerConn(const ServerConn&) = delete;
  ServerConn& operator=(const ServerConn&) = delete;

  int fd() const { return fd_; }
  // Which connection of the server this is, in accept order from 0.
  std::size_t index() const { return index_; }
  // Sends all bytes (through TLS once started). False on error or timeout.
  bool send(std::string_view data);
  // One line including its "\n" (or the rest before EOF); nullopt on EOF with nothing, timeout
  // or error.
  std::optional<std::string> read_line();
  // Whatever arrives next; empty on EOF, timeout or error.
  std::string read_some();
  // Reads and discards until the peer closes (or the timeout): keeps the socket open so the
  // client sees our bytes, not a reset caused by unread data.
  void drain_until_eof();
  // Server-side TLS handshake with the given certificate and key. False with failure() set.
  bool start_tls(const std::string& cert_file, const std::string& key_file);
  // close_notify when TLS is up, then close.
  void close();
  // Reports every wait to activity (which must outlive the connection).
  void observe(PeerActivity* activity) { activity_ = activity; }
  // Holds the script for ms of the virtual clock; only with an observer (a memory_net.hpp peer):
  // on real sockets it records a failure instead (a test must not sleep to synchronise).
  void pause(int ms);

  const std::string& failure() const { return failure_; }
  void fail(std::string what) {
    if (failure_.empty()) failure_ = std::move(what);
  }

 private:
  friend struct Tls;
  bool wait(short events);        // wait_ready(), reported to the observer
  bool wait_ready(short events);  // poll in short slices until ready, stop or deadline
  int fd_;
  std::size_t index_;
  int timeout_ms_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<Tls> tls_;
  PeerActivity* activity_ = nullptr;
  std::string buffered_;  // bytes read past a line end
  std::string failure_;
};

struct ServerOptions {
  std::string cert_file;  // with key_file: handshake right after accept (implicit TLS)
  std::string key_file;
  bool implicit_tls = false;  // set by the constructor when cert_file is given
  bool ipv6 = false;          // listen on ::1 instead of 127.0.0.1
  int io_timeout_ms = 5000;
  // How many connections to accept (within io_timeout_ms of the start); each is served on a
  // thread of its own, so a client's sessions may overlap.
  std::size_t connections = 1;
};

using ServerScript = std::function<void(ServerConn&)>;

class LoopbackServer {
 public:
  LoopbackServer(ServerOptions options, ServerScript script);
  ~LoopbackServer();  // stops waiting, joins the thread
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  bool listening() const { return port_ != 0; }  // false if the address could not be bound
  unsigned port() const { return port_; }
  const std::string& host() const { return host_; }
  // Waits for the script to finish; false on timeout.
  bool wait_done(int timeout_ms);
  // What went wrong inside the server thread (bind, accept, handshake, script); empty if nothing.
  std::string failure() const;

 private:
  void run();
  ServerOptions options_;
  ServerScript script_;
  std::string host_;
  int listen_fd_ = -1;
  unsigned port_ = 0;
  std::atomic<bool> stop_{false};
  bool done_ = false;  // under mutex_, signalled by done_changed_
  std::condition_variable done_changed_;
  mutable std::mutex mutex_;
  std::string failure_;
  std::thread thread_;
};

}  // namespace mv::test
