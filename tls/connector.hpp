// TCP connect without blocking: resolves the host (getaddrinfo), then tries every address it
// returned in order (IPv6 and IPv4, or only one family for -4/-6) with non-blocking connects, so
// the caller's loop can run other sessions meanwhile. Knows nothing of mail.
// Promises: errors are network-category with a stable code: "net.dns" (resolution failed, with
// gai_strerror), "net.refused", "net.unreachable", "net.timeout" (every attempt timed out: a
// firewall dropping packets), "net.connect" (anything else); attempts() lists every address tried.
// The clock is the caller's: on_attempt_timeout() is how a deadline reaches the connector.
#pragma once

#include <string>
#include <vector>

#include "protocols/common/error.hpp"

namespace mv {

enum class Family { any, ipv4, ipv6 };

class Connector {
 public:
  enum class Status { in_progress, connected, failed };

  // Resolves synchronously (a DNS failure is reported through status()/error()), then starts the
  // first connect. A loopback connect may already be connected (or failed) on return.
  Connector(std::string host, unsigned port, Family family);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  Status status() const { return status_; }
  // While in_progress: the descriptor to wait on for POLLOUT.
  int fd() const { return fd_; }
  // Call when fd() is writable (or in error): finishes this attempt or moves to the next address.
  Status on_writable();
  // The caller's deadline for this attempt passed: gives up on the current address, tries the
  // next one. When none is left, fails with net.timeout.
  Status on_attempt_timeout();
  // Hands over the connected descriptor (non-blocking, TCP_NODELAY set); the connector forgets it.
  // -1 unless status() is connected.
  int release();

  const Error& error() const { return error_; }
  // "127.0.0.1:587" / "[::1]:993" of the current attempt or connection.
  const std::string& peer() const { return peer_; }
  // Every address tried so far with what happened, for diagnosis ("::1: refused; 127.0.0.1: ok").
  const std::string& attempts() const { return attempts_; }

 private:
  void start_next();
  void fail_current(const std::string& what, int err);
  void connected();
  void give_up();
  void note_attempt(const std::string& what);

  std::string host_;
  unsigned port_;
  std::vector<std::string> addresses_;  // packed sockaddr bytes, in getaddrinfo order
  std::size_t next_ = 0;
  int fd_ = -1;
  Status status_ = Status::in_progress;
  Error error_;
  std::string peer_;
  std::string attempts_;
  int last_errno_ = 0;
  // Outcome counts across attempts: the final error names the most telling one.
  unsigned refused_ = 0;
  unsigned unreachable_ = 0;
  unsigned timed_out_ = 0;
};

}  // namespace mv
