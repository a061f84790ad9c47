// SPDX-License-Identifier: Apache-2.0
// The sign-in's loopback redirect listener (RFC 8252) in the engine's Pump: a request for another
// path gets 404 and does not count, a browser's idle spare connection does not block it, the one
// redirect is taken with its query and answered with a short page, and then nothing listens.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <thread>

#include "engine/clock.hpp"
#include "engine/loopback_redirect.hpp"

namespace {

int connect_to(unsigned port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends a request and reads the whole answer (the listener closes after it).
std::string ask(unsigned port, const std::string& request) {
  const int fd = connect_to(port);
  if (fd < 0) return "refused";
  (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char buf[1024];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    answer.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return answer;
}

struct Plan {
  static mv::Task<void> wait(mv::Pump& pump, mv::LoopbackRedirect& listener) {
    const mv::Millis until = pump.now() + 5000;
    while (!listener.result() && pump.now() < until)
      co_await pump.until([&] { return listener.result().has_value(); }, until);
  }
};

// A listener with these limits on a free port in its own pump, expecting state "s"; run() drives
// it while browser talks to it from a thread, until the one request came (or 5 s passed).
struct Listening {
  mv::Pump pump;
  mv::LoopbackRedirect listener;
  explicit Listening(const mv::Limits& limits) : listener(limits) {
    mv::Error error;
    REQUIRE(listener.start(pump, "/", error));
    listener.expect_state("s");
  }
  void run(const std::function<void(unsigned port)>& browser) {
    std::thread thread([&] { browser(listener.port()); });
    pump.spawn(Plan::wait(pump, listener));
    pump.run();
    thread.join();
  }
};

}  // namespace

TEST_CASE("loopback redirect: one request taken, other paths 404, then nothing listens") {
  mv::Pump pump;
  mv::LoopbackRedirect listener;
  mv::Error error;
  REQUIRE(listener.start(pump, "/", error));
  listener.expect_state("s1");
  const unsigned port = listener.port();
  REQUIRE(port != 0);
  std::string favicon, redirect, after;
  int spare = -1;
  std::thread browser([&] {
    spare = connect_to(port);  // a browser's preconnect that never sends a byte
    favicon = ask(port, "GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    redirect = ask(port, "GET /?code=C%2F1&state=s1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  });
  pump.spawn(Plan::wait(pump, listener));
  pump.run();
  browser.join();
  after = ask(port, "GET /?code=again&state=s1 HTTP/1.1\r\n\r\n");
  if (spare >= 0) ::close(spare);
  CHECK(favicon.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(redirect.rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(redirect.find("Signed in") != std::string::npos);
  REQUIRE(listener.result());
  const mv::FormFields& f = *listener.result();
  REQUIRE(f.size() == 2);
  CHECK(f[0].second == "C/1");
  CHECK(f[1].second == "s1");
  CHECK(after == "refused");
}

TEST_CASE("loopback redirect: a state that does not match is answered, reported, not trusted") {
  mv::Pump pump;
  mv::LoopbackRedirect listener;
  mv::Error error;
  REQUIRE(listener.start(pump, "/", error));
  listener.expect_state("expected");
  std::string answer;
  std::thread browser(
      [&] { answer = ask(listener.port(), "GET ?code=x&state=forged HTTP/1.1\r\n\r\n"); });
  pump.spawn(Plan::wait(pump, listener));
  pump.run();
  browser.join();
  CHECK(answer.find("does not belong to the sign-in") != std::string::npos);
  REQUIRE(listener.result());
  CHECK((*listener.result())[1].second == "forged");  // the flow compares and refuses it
}

TEST_CASE("loopback redirect: a request head longer than Limits::max_redirect_head is dropped") {
  const std::string request = "GET /?code=c&state=s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  mv::Limits limits;
  limits.max_redirect_head = request.size();
  Listening l(limits);
  std::string longer, exact;
  l.run([&](unsigned port) {
    longer = ask(port, "GET /?code=c&state=s HTTP/1.1\r\nHost: 127.0.0.10\r\n\r\n");
    exact = ask(port, request);
  });
  CHECK(longer.empty());  // closed without an answer
  CHECK(exact.rfind("HTTP/1.1 200 OK", 0) == 0);
  REQUIRE(l.listener.result());
  CHECK((*l.listener.result())[0].second == "c");
}

TEST_CASE("loopback redirect: connections past Limits::max_redirect_connections are dropped") {
  mv::Limits limits;
  limits.max_redirect_connections = 1;
  Listening l(limits);
  std::string second, first;
  l.run([&](unsigned port) {
    // The kernel queues connections in order, so the first one is accepted first and holds the
    // one place; the second is closed without an answer. The first then carries the redirect.
    const int held = connect_to(port);
    second = ask(port, "GET /?code=c&state=s HTTP/1.1\r\n\r\n");
    const std::string request = "GET /?code=c1&state=s HTTP/1.1\r\n\r\n";
    (void)::send(held, request.data(), request.size(), MSG_NOSIGNAL);
    char buf[1024];
    for (ssize_t n; (n = ::recv(held, buf, sizeof buf, 0)) > 0;)
      first.append(buf, static_cast<std::size_t>(n));
    ::close(held);
  });
  CHECK(second.empty());
  CHECK(first.rfind("HTTP/1.1 200 OK", 0) == 0);
  REQUIRE(l.listener.result());
  CHECK((*l.listener.result())[0].second == "c1");
}
