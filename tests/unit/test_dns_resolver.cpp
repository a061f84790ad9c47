// SPDX-License-Identifier: Apache-2.0
// engine/dns_resolver against scripted name servers on loopback, in the same loop as the query
// (no threads, no sleeps): only the answer matching ID, name and type is taken (a short packet,
// a wrong ID, name or type is ignored), TC is asked again over TCP, SERVFAIL moves on to the next
// server, NXDOMAIN is an answer, and a silent server ends the query exactly at its deadline (on
// virtual time).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/address_lookup.hpp"
#include "engine/dns_resolver.hpp"
#include "tests/support/virtual_time.hpp"

namespace {

using namespace mv;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// A socket bound to 127.0.0.1 (port 0: any; else that one); its port.
unsigned bind_loopback(int fd, unsigned port = 0) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 0;
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// The response to a query: its ID and question, QR RA set, this rcode (and TC), these answers
// (owner: a pointer to the question's name).
std::string response_to(const std::string& query, int rcode, const std::vector<std::string>& rdata,
                        std::uint16_t type, bool tc = false) {
  std::string r = query;
  r[2] = static_cast<char>(0x81 | (tc ? 0x02 : 0));
  r[3] = static_cast<char>(0x80 | rcode);
  r[7] = static_cast<char>(rdata.size());
  for (const std::string& d : rdata) {
    r += std::string("\xc0\x0c", 2);
    r += static_cast<char>(type >> 8);
    r += static_cast<char>(type & 0xff);
    r += std::string("\x00\x01\x00\x00\x0e\x10", 6);
    r += static_cast<char>(d.size() >> 8);
    r += static_cast<char>(d.size() & 0xff);
    r += d;
  }
  return r;
}

const std::string kAddress("\xc0\x00\x02\x07", 4);  // 192.0.2.7

// Answers each datagram with what reply() returns (none, one or several), until *stop.
Task<void> udp_peer(Pump& pump, int fd, std::function<std::vector<std::string>(std::string)> reply,
                    const bool* stop, Millis until) {
  for (;;) {
    short got = 0;
    pump.watch(fd, POLLIN, [&got](short r) { got = r; });
    co_await pump.until([&] { return got != 0 || *stop; }, until);
    pump.unwatch(fd);
    if (got == 0) co_return;
    char buf[1024];
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    const ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) continue;
    for (const std::string& d : reply(std::string(buf, static_cast<std::size_t>(n))))
      ::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
  }
}

// Accepts one TCP connection and answers its framed query with reply(query), framed.
Task<void> tcp_peer(Pump& pump, int listener, std::function<std::string(std::string)> reply,
                    const bool* stop, Millis until) {
  short got = 0;
  pump.watch(listener, POLLIN, [&got](short r) { got = r; });
  co_await pump.until([&] { return got != 0 || *stop; }, until);
  pump.unwatch(listener);
  if (got == 0) co_return;
  Fd conn(::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK));
  std::string in;
  while (in.size() < 2 || in.size() < 2u + (static_cast<unsigned char>(in[0]) << 8 |
                                            static_cast<unsigned char>(in[1]))) {
    got = 0;
    pump.watch(conn.fd, POLLIN, [&got](short r) { got = r; });
    co_await pump.until([&] { return got != 0 || *stop; }, until);
    pump.unwatch(conn.fd);
    if (got == 0) co_return;
    char buf[512];
    const ssize_t n = ::recv(conn.fd, buf, sizeof buf, 0);
    if (n <= 0) co_return;
    in.append(buf, static_cast<std::size_t>(n));
  }
  const std::string answer = reply(in.substr(2));
  std::string framed;
  framed += static_cast<char>(answer.size() >> 8);
  framed += static_cast<char>(answer.size() & 0xff);
  framed += answer;
  ::send(conn.fd, framed.data(), framed.size(), MSG_NOSIGNAL);
}

Task<void> ask(DnsResolver& r, std::string name, std::uint16_t type, Millis deadline,
               DnsAnswer& into, bool& stop) {
  into = co_await r.query(std::move(name), type, deadline);
  stop = true;
}

// One A query for mail.example.test at a resolver with these limits (tries of 1 s), against one
// scripted server answering with reply(), on virtual time; it ends within the given time.
DnsAnswer ask_scripted(const Limits& limits,
                       std::function<std::vector<std::string>(std::string)> reply, Millis within) {
  Fd peer(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  const unsigned port = bind_loopback(peer.fd);
  REQUIRE(port != 0);
  test::VirtualTime time;
  Pump pump(time, time);
  DnsResolver resolver(pump, {{"127.0.0.1", port}}, 1'000, limits);
  bool stop = false;
  DnsAnswer answer;
  const Millis deadline = time.now() + within;
  pump.spawn(udp_peer(pump, peer.fd, std::move(reply), &stop, deadline));
  pump.spawn(ask(resolver, "mail.example.test", dns::kTypeA, deadline, answer, stop));
  pump.run();
  return answer;
}

}  // namespace

TEST_CASE(
    "dns resolver/only the answer to the query is taken: short, wrong ID, name, type ignored") {
  Fd peer(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  const unsigned port = bind_loopback(peer.fd);
  REQUIRE(port != 0);
  Pump pump;
  DnsResolver resolver(pump, {{"127.0.0.1", port}});
  bool stop = false;
  DnsAnswer answer;
  auto reply = [](std::string q) {
    std::string wrong_id = response_to(q, 0, {kAddress}, dns::kTypeA);
    wrong_id[1] = static_cast<char>(wrong_id[1] ^ 0x5a);
    std::string wrong_type = response_to(q, 0, {kAddress}, dns::kTypeA);
    wrong_type[q.size() - 3] = 28;  // the question's type (low byte): AAAA
    std::string wrong_name = response_to(q, 0, {kAddress}, dns::kTypeA);
    wrong_name[13] = 'x';  // the question's first letter
    return std::vector<std::string>{"\x12\x34\x81", wrong_id, wrong_type, wrong_name,
                                    response_to(q, 0, {kAddress}, dns::kTypeA)};
  };
  const Millis deadline = pump.now() + 5'000;
  pump.spawn(udp_peer(pump, peer.fd, reply, &stop, deadline));
  pump.spawn(ask(resolver, "mail.example.test", dns::kTypeA, deadline, answer, stop));
  pump.run();
  REQUIRE(answer.status == DnsAnswer::Status::answered);
  CHECK(address_literals(answer.response) == std::vector<std::string>{"192.0.2.7"});
  CHECK(answer.server == "127.0.0.1:" + std::to_string(port));
  CHECK_FALSE(answer.over_tcp);
}

TEST_CASE("dns resolver/a truncated answer is asked again over TCP") {
  Fd peer(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  const unsigned port = bind_loopback(peer.fd);
  Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  if (port == 0 || bind_loopback(listener.fd, port) != port || ::listen(listener.fd, 4) != 0) {
    MESSAGE("skipped: no TCP port beside the UDP one");
    return;
  }
  Pump pump;
  DnsResolver resolver(pump, {{"127.0.0.1", port}});
  bool stop = false;
  DnsAnswer answer;
  const Millis deadline = pump.now() + 5'000;
  pump.spawn(udp_peer(
      pump, peer.fd,
      [](std::string q) {
        return std::vector<std::string>{response_to(q, 0, {}, dns::kTypeA, true)};
      },
      &stop, deadline));
  pump.spawn(tcp_peer(
      pump, listener.fd,
      [](std::string q) {
        return response_to(q, 0, {kAddress, kAddress}, dns::kTypeA);
      },
      &stop, deadline));
  pump.spawn(ask(resolver, "mail.example.test", dns::kTypeA, deadline, answer, stop));
  pump.run();
  REQUIRE(answer.status == DnsAnswer::Status::answered);
  CHECK(answer.over_tcp);
  CHECK(answer.response.answers.size() == 2);
}

TEST_CASE("dns resolver/SERVFAIL moves on to the next server; NXDOMAIN is an answer") {
  Fd first(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  Fd second(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  const unsigned p1 = bind_loopback(first.fd), p2 = bind_loopback(second.fd);
  REQUIRE((p1 != 0 && p2 != 0));
  Pump pump;
  DnsResolver resolver(pump, {{"127.0.0.1", p1}, {"127.0.0.1", p2}});
  bool stop = false;
  DnsAnswer answer;
  const Millis deadline = pump.now() + 5'000;
  pump.spawn(udp_peer(
      pump, first.fd,
      [](std::string q) { return std::vector<std::string>{response_to(q, 2, {}, dns::kTypeSrv)}; },
      &stop, deadline));
  pump.spawn(udp_peer(
      pump, second.fd,
      [](std::string q) { return std::vector<std::string>{response_to(q, 3, {}, dns::kTypeSrv)}; },
      &stop, deadline));
  pump.spawn(ask(resolver, "_imaps._tcp.example.test", dns::kTypeSrv, deadline, answer, stop));
  pump.run();
  CHECK(answer.status == DnsAnswer::Status::nxdomain);
  CHECK(answer.server == "127.0.0.1:" + std::to_string(p2));
}

TEST_CASE("dns resolver/a silent server ends the query exactly at its deadline (virtual time)") {
  Fd silent(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  const unsigned port = bind_loopback(silent.fd);
  REQUIRE(port != 0);
  test::VirtualTime time;
  Pump pump(time, time);
  DnsResolver resolver(pump, {{"127.0.0.1", port}}, 2'000);
  bool stop = false;
  DnsAnswer answer;
  const Millis start = time.now();
  pump.spawn(ask(resolver, "mail.example.test", dns::kTypeA, start + 5'000, answer, stop));
  pump.run();
  CHECK(time.now() - start == 5'000);
  CHECK(answer.status == DnsAnswer::Status::failed);
  CHECK(answer.why == "127.0.0.1:" + std::to_string(port) + ": no answer within 2.0 s");
}

TEST_CASE("dns resolver/a server that only sends garbage fails with what it sent (virtual time)") {
  Fd peer(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  const unsigned port = bind_loopback(peer.fd);
  REQUIRE(port != 0);
  test::VirtualTime time;
  Pump pump(time, time);
  DnsResolver resolver(pump, {{"127.0.0.1", port}}, 1'000);
  bool stop = false;
  DnsAnswer answer;
  const Millis deadline = time.now() + 3'000;
  pump.spawn(udp_peer(
      pump, peer.fd, [](std::string) { return std::vector<std::string>{"garbage"}; }, &stop,
      deadline));
  pump.spawn(ask(resolver, "mail.example.test", dns::kTypeA, deadline, answer, stop));
  pump.run();
  CHECK(answer.status == DnsAnswer::Status::failed);
  CHECK(answer.why.find("no DNS response") != std::string::npos);
}

TEST_CASE("dns resolver/answers are read within the resolver's Limits (virtual time)") {
  const auto two_records = [](std::string q) {
    return std::vector<std::string>{response_to(q, 0, {kAddress, kAddress}, dns::kTypeA)};
  };
  Limits limits;
  limits.max_dns_records = 2;
  const DnsAnswer taken = ask_scripted(limits, two_records, 3'000);
  REQUIRE(taken.status == DnsAnswer::Status::answered);
  CHECK(taken.response.answers.size() == 2);
  limits.max_dns_records = 1;
  const DnsAnswer ignored = ask_scripted(limits, two_records, 3'000);
  CHECK(ignored.status == DnsAnswer::Status::failed);
  CHECK(ignored.why.find("more than 1 answer records") != std::string::npos);
}

TEST_CASE("dns resolver/a failing server is asked once per round, Limits::max_dns_rounds") {
  for (const std::size_t rounds : {kDefaultLimits.max_dns_rounds, std::size_t{1}}) {
    CAPTURE(rounds);
    Limits limits;
    limits.max_dns_rounds = rounds;
    std::size_t asked = 0;
    const DnsAnswer answer = ask_scripted(
        limits,
        [&asked](std::string q) {
          ++asked;
          return std::vector<std::string>{response_to(q, 2, {}, dns::kTypeA)};  // SERVFAIL
        },
        10'000);
    CHECK(answer.status == DnsAnswer::Status::failed);
    CHECK(answer.why.find("SERVFAIL") != std::string::npos);
    CHECK(asked == rounds);
  }
}

TEST_CASE("dns resolver/nothing listening: refused at once, not at the deadline") {
  Fd taken(::socket(AF_INET, SOCK_DGRAM, 0));
  const unsigned port = bind_loopback(taken.fd);
  ::close(taken.fd);  // the port is free now: nothing listens there
  taken.fd = -1;
  test::VirtualTime time;
  Pump pump(time, time);
  DnsResolver resolver(pump, {{"127.0.0.1", port}});
  bool stop = false;
  DnsAnswer answer;
  const Millis start = time.now();
  pump.spawn(ask(resolver, "mail.example.test", dns::kTypeA, start + 10'000, answer, stop));
  pump.run();
  CHECK(answer.status == DnsAnswer::Status::failed);
  CHECK(answer.why.find("refused") != std::string::npos);
  CHECK(time.now() - start < 10'000);
}
