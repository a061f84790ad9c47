// SPDX-License-Identifier: Apache-2.0
// TCP connect without blocking: resolves the host, then tries every address it got in order (IPv6
// and IPv4, or only one family for -4/-6) with non-blocking connects, so the caller's loop can
// run other sessions meanwhile. Knows nothing of mail.
// Name lookups run off the caller's loop through an address cache (tls/address_cache.hpp), which
// shares lookups under way and remembers the answers; an address literal is parsed at once. So a
// slow or dead name server stalls neither the other sessions nor the caller's deadline.
// Promises: errors are network-category with a stable code: "net.dns" (resolution failed, with
// gai_strerror, or no answer before the deadline), "net.refused", "net.unreachable",
// "net.timeout" (every attempt timed out: a firewall dropping packets), "net.connect" (anything
// else); attempts() lists every address tried.
// The clock is the caller's: on_attempt_timeout() is how a deadline reaches the connector.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "tls/address_cache.hpp"

namespace mv {

class Connector {
 public:
  enum class Status { in_progress, connected, failed };
  // An address literal is used at once (a loopback connect may already be connected, or failed,
  // on return); a name is taken from the cache, or its lookup started (or joined) there.
  Connector(std::string host, unsigned port, Family family,
            AddressCache& cache = shared_address_cache());
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  Status status() const { return status_; }
  // While in_progress: the descriptor to wait on, and for what (POLLIN while the name is looked
  // up, POLLOUT while connecting).
  int fd() const;
  short events() const;
  // Call when fd() is ready (or in error): takes the lookup's answer and starts connecting, or
  // finishes this connect attempt or moves to the next address.
  Status on_ready();
  // The caller's deadline passed: while looking up, fails with net.dns (the lookup thread is left
  // to finish on its own); while connecting, gives up on the current address and tries the next
  // one. When none is left, fails with net.timeout.
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
  void fail_lookup(int rc, int err);
  void start_next();
  void fail_current(const std::string& what, int err);
  void connected();
  void give_up();
  void note_attempt(const std::string& what);

  std::string host_;
  unsigned port_;
  Family family_;
  AddressCache& cache_;
  AddressCache::Lookup* lookup_ = nullptr;  // while the name is looked up (a reference to it)
  std::vector<std::string> addresses_;      // packed sockaddr bytes, in getaddrinfo order
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
