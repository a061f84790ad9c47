// SPDX-License-Identifier: Apache-2.0
// TCP connect without blocking: resolves the host, then tries every address it got in order (IPv6
// and IPv4, or only one family for -4/-6) with non-blocking connects, so the caller's loop can
// run other sessions meanwhile. Knows nothing of mail.
// Name lookups (getaddrinfo blocks, for as long as the system resolver's own timeouts: 5 s per
// try and server by default) run on a short-lived thread of their own, which wakes the caller's
// poll through a pipe; an address literal is parsed at once, without a thread. So a slow or dead
// name server stalls neither the other sessions nor the caller's deadline. Connectors asking for
// the same name together share one lookup, and a name found once is not looked up again in this
// process (a run lasts seconds; its sessions and a batch's accounts mostly share their hosts).
// Promises: errors are network-category with a stable code: "net.dns" (resolution failed, with
// gai_strerror, or no answer before the deadline), "net.refused", "net.unreachable",
// "net.timeout" (every attempt timed out: a firewall dropping packets), "net.connect" (anything
// else); attempts() lists every address tried.
// The clock is the caller's: on_attempt_timeout() is how a deadline reaches the connector.
#pragma once

#include <netdb.h>

#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace mv {

enum class Family { any, ipv4, ipv6 };

class Connector {
 public:
  enum class Status { in_progress, connected, failed };
  // getaddrinfo's signature: tests substitute a resolver that takes its time.
  using Resolver = int (*)(const char*, const char*, const addrinfo*, addrinfo**);

  // An address literal is used at once (a loopback connect may already be connected, or failed,
  // on return); a name starts its lookup on a thread.
  Connector(std::string host, unsigned port, Family family, Resolver resolver = &::getaddrinfo);
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

 public:
  struct Lookup;  // a name lookup under way (connector.cpp)

 private:
  static void* lookup_main(void* lookup);
  static std::map<std::string, Lookup*>& in_flight();
  Lookup* start_lookup(const std::string& key, Family family, Resolver resolver);
  void fail_lookup(int rc, int err);
  void start_next();
  void fail_current(const std::string& what, int err);
  void connected();
  void give_up();
  void note_attempt(const std::string& what);

  std::string host_;
  unsigned port_;
  Family family_;
  Lookup* lookup_ = nullptr;            // while the name is being looked up (one of its references)
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
