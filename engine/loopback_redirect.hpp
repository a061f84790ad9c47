// SPDX-License-Identifier: Apache-2.0
// The redirect listener of a desktop sign-in (RFC 8252 section 7.3): a TCP socket on 127.0.0.1
// with a free port, watched by the caller's Pump (no thread, no second loop). It accepts only
// loopback peers, reads requests with a bound (Limits::max_redirect_head bytes of request head,
// Limits::max_redirect_connections connections at once: browsers open spare connections; a
// connection past either is closed without an answer), answers a request for another path with 404,
// and takes exactly one request for its path: that one gets a short page saying the sign-in may
// continue in the terminal (or what went wrong), and the listener stops listening at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "engine/pump.hpp"
#include "protocols/oauth2/form.hpp"

namespace mv {

class LoopbackRedirect {
 public:
  explicit LoopbackRedirect(const Limits& limits = kDefaultLimits) : limits_(limits) {}
  ~LoopbackRedirect();
  LoopbackRedirect(const LoopbackRedirect&) = delete;
  LoopbackRedirect& operator=(const LoopbackRedirect&) = delete;

  // Binds 127.0.0.1:0 and starts watching it in pump. false with error set when it cannot.
  bool start(Pump& pump, std::string path, Error& error);
  unsigned port() const { return port_; }

  // Set once the one request came: the query's fields (code, state, error, ...).
  const std::optional<FormFields>& result() const { return result_; }
  // How to answer the one request, decided by the caller before it arrives would be too early:
  // the page says "signed in" unless the query has "error" or the state does not match.
  void expect_state(std::string state) { state_ = std::move(state); }

  void stop();

 private:
  struct Peer {
    int fd;
    std::string head;
  };
  void on_listener();
  void on_peer(int fd);
  void close_peer(int fd);
  void answer(int fd, int status, const std::string& text);

  Limits limits_;
  Pump* pump_ = nullptr;
  int listen_fd_ = -1;
  unsigned port_ = 0;
  std::string path_;
  std::string state_;
  std::vector<Peer> peers_;
  std::optional<FormFields> result_;
};

}  // namespace mv
