// SPDX-License-Identifier: Apache-2.0
// A listening TCP socket on 127.0.0.1 with a port the kernel picks, for tests that need a peer
// that accepts nothing: the kernel completes connects into the backlog (a server that never says
// a word), and with backlog 0 and the queue filled it drops further SYNs (a firewall). Closing it
// frees the port: then nothing listens there.
#pragma once

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mv::test {

struct LoopbackListener {
  int fd = -1;
  unsigned port = 0;
  sockaddr_in address{};

  explicit LoopbackListener(int backlog = 4) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof address;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), len) == 0);
    REQUIRE(::listen(fd, backlog) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) == 0);
    port = ntohs(address.sin_port);
  }
  ~LoopbackListener() { close(); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// A loopback port nothing listens on (one a listener had a moment ago).
inline unsigned closed_loopback_port() {
  LoopbackListener l(0);
  return l.port;
}

}  // namespace mv::test
