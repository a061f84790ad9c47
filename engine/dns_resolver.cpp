// SPDX-License-Identifier: Apache-2.0
#include "engine/dns_resolver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/clock.hpp"
#include "protocols/common/ascii.hpp"

namespace mv {

namespace {

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

bool to_sockaddr(const NameServer& server, sockaddr_storage& sa, socklen_t& len) {
  sa = {};
  auto* in4 = reinterpret_cast<sockaddr_in*>(&sa);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&sa);
  if (inet_pton(AF_INET, server.address.c_str(), &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons(static_cast<std::uint16_t>(server.port));
    len = sizeof *in4;
    return true;
  }
  if (inet_pton(AF_INET6, server.address.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(server.port));
    len = sizeof *in6;
    return true;
  }
  return false;
}

// A query ID nobody off the path can guess (RFC 5452). getrandom does not fail for two bytes
// once the pool is initialised; should it, the microsecond clock still varies per query.
std::uint16_t random_id() {
  std::uint16_t id = 0;
  if (getrandom(&id, sizeof id, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof id))
    id = static_cast<std::uint16_t>(monotonic_us() * 2654435761u >> 7);
  return id;
}

// Waits until fd is ready for events (returns revents) or until the time (returns 0).
Task<short> ready(Pump& pump, int fd, short events, Millis until) {
  short got = 0;
  pump.watch(fd, events, [&got](short revents) { got = revents; });
  co_await pump.until([&got] { return got != 0; }, until);
  pump.unwatch(fd);
  co_return got;
}

std::string rcode_note(int rcode) {
  switch (rcode) {
    case 1:
      return "FORMERR (it could not read the query)";
    case 2:
      return "SERVFAIL (it could not get an answer itself)";
    case 4:
      return "NOTIMP (it does not implement this query)";
    case 5:
      return "REFUSED (it does not answer our queries)";
    default:
      return "response code " + std::to_string(rcode);
  }
}

}  // namespace

// The answer's rcode as a try's end: NOERROR and NXDOMAIN are answers, anything else sends the
// query to the next server.
DnsResolver::Try DnsResolver::judged(const dns::Response& r, bool over_tcp) {
  Try t;
  if (r.rcode != 0 && r.rcode != 3) {
    t.note = rcode_note(r.rcode);
    return t;
  }
  t.done = true;
  t.answer.status = r.rcode == 3 ? DnsAnswer::Status::nxdomain : DnsAnswer::Status::answered;
  t.answer.response = r;
  t.answer.over_tcp = over_tcp;
  return t;
}

std::string NameServer::text() const {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

bool answers_query(const dns::Response& response, std::uint16_t id, const std::string& name,
                   std::uint16_t type) {
  return response.id == id && response.question_type == type && iequals(response.question, name);
}

DnsResolver::DnsResolver(Pump& pump, std::vector<NameServer> servers, Millis attempt_timeout,
                         const Limits& limits)
    : pump_(pump),
      servers_(std::move(servers)),
      attempt_timeout_(attempt_timeout),
      limits_(limits) {}

Task<DnsAnswer> DnsResolver::query(std::string name, std::uint16_t type, Millis deadline) {
  DnsAnswer failed;
  std::string why;
  if (!dns::write_query(0, name, type, &why)) {
    failed.why = "\"" + name + "\" is no valid DNS name: " + why;
    co_return failed;
  }
  if (servers_.empty()) {
    failed.why = "no name server to ask";
    co_return failed;
  }
  std::vector<std::string> notes(servers_.size());  // each server's last failure
  for (std::size_t round = 0; round < limits_.max_dns_rounds; ++round) {
    for (std::size_t i = 0; i < servers_.size() && pump_.now() < deadline; ++i) {
      const Millis until = std::min(deadline, pump_.now() + attempt_timeout_);
      Try t = co_await ask_udp(servers_[i], name, type, until);
      if (t.done) {
        t.answer.server = servers_[i].text();
        co_return t.answer;
      }
      notes[i] = t.note;
    }
  }
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    if (!failed.why.empty()) failed.why += "; ";
    failed.why += servers_[i].text() + ": " +
                  (notes[i].empty() ? std::string("not asked before the deadline") : notes[i]);
  }
  co_return failed;
}

Task<DnsResolver::Try> DnsResolver::ask_udp(const NameServer& server, const std::string& name,
                                            std::uint16_t type, Millis until) {
  Try t;
  sockaddr_storage sa;
  socklen_t len = 0;
  if (!to_sockaddr(server, sa, len)) {
    t.note = "not an IP address";
    co_return t;
  }
  // A socket per query: the kernel picks a random source port (RFC 6056), and the connected
  // socket takes datagrams from this server only.
  Socket sock(::socket(sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (sock.fd() < 0 || ::connect(sock.fd(), reinterpret_cast<sockaddr*>(&sa), len) != 0) {
    t.note = std::string("cannot open a UDP socket to it: ") + std::strerror(errno);
    co_return t;
  }
  const std::uint16_t id = random_id();
  const std::string query = *dns::write_query(id, name, type);
  if (::send(sock.fd(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size())) {
    t.note = std::string("cannot send the query: ") + std::strerror(errno);
    co_return t;
  }
  std::string buffer(dns::kMaxMessage, '\0');
  unsigned ignored = 0;
  std::string malformed;  // the last datagram that did not parse, and why
  for (;;) {
    if ((co_await ready(pump_, sock.fd(), POLLIN, until)) == 0) {
      t.note = "no answer within " + seconds_text(attempt_timeout_);
      if (!malformed.empty())
        t.note += "; it sent " + malformed;
      else if (ignored > 0)
        t.note += " (ignored " + std::to_string(ignored) + " that did not match the query)";
      co_return t;
    }
    const ssize_t n = ::recv(sock.fd(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      t.note = errno == ECONNREFUSED ? std::string("refused (no name server on that port)")
                                     : std::string("cannot read: ") + std::strerror(errno);
      co_return t;
    }
    // Anything that is not the answer to this query (malformed, late, forged) is ignored, as a
    // forged datagram must not end the query; the note says what came instead.
    std::string why;
    const std::optional<dns::Response> r = dns::parse_response(
        std::string_view(buffer.data(), static_cast<std::size_t>(n)), &why, limits_);
    if (!r) {
      ++ignored;
      malformed = "something that is no DNS response (" + why + ")";
      continue;
    }
    if (!answers_query(*r, id, name, type)) {
      ++ignored;
      continue;
    }
    if (r->truncated) {
      Try tcp = co_await ask_tcp(server, name, type, until);
      if (!tcp.done) tcp.note = "truncated over UDP, and over TCP: " + tcp.note;
      co_return tcp;
    }
    co_return judged(*r, false);
  }
}

Task<DnsResolver::Try> DnsResolver::ask_tcp(const NameServer& server, const std::string& name,
                                            std::uint16_t type, Millis until) {
  Try t;
  sockaddr_storage sa;
  socklen_t len = 0;
  to_sockaddr(server, sa, len);  // ask_udp checked it
  Socket sock(::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (sock.fd() < 0) {
    t.note = std::string("cannot open a TCP socket: ") + std::strerror(errno);
    co_return t;
  }
  if (::connect(sock.fd(), reinterpret_cast<sockaddr*>(&sa), len) != 0 && errno != EINPROGRESS) {
    t.note = std::string("cannot connect: ") + std::strerror(errno);
    co_return t;
  }
  if ((co_await ready(pump_, sock.fd(), POLLOUT, until)) == 0) {
    t.note = "no TCP connection within " + seconds_text(attempt_timeout_);
    co_return t;
  }
  int err = 0;
  socklen_t err_len = sizeof err;
  getsockopt(sock.fd(), SOL_SOCKET, SO_ERROR, &err, &err_len);
  if (err != 0) {
    t.note = std::string("cannot connect: ") + std::strerror(err);
    co_return t;
  }
  const std::uint16_t id = random_id();
  const std::string query = *dns::write_query(id, name, type);
  std::string out;
  out += static_cast<char>(query.size() >> 8);
  out += static_cast<char>(query.size() & 0xff);
  out += query;
  for (std::size_t sent = 0; sent < out.size();) {
    const ssize_t n = ::send(sock.fd(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (errno != EAGAIN && errno != EINTR) {
      t.note = std::string("cannot send the query: ") + std::strerror(errno);
      co_return t;
    } else if ((co_await ready(pump_, sock.fd(), POLLOUT, until)) == 0) {
      t.note = "could not send the query within " + seconds_text(attempt_timeout_);
      co_return t;
    }
  }
  dns::TcpFramer framer;
  char chunk[kReadChunk];
  for (;;) {
    if ((co_await ready(pump_, sock.fd(), POLLIN, until)) == 0) {
      t.note = "no whole answer within " + seconds_text(attempt_timeout_);
      co_return t;
    }
    const ssize_t n = ::recv(sock.fd(), chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      t.note = n == 0 ? std::string("closed the connection before a whole answer")
                      : std::string("cannot read: ") + std::strerror(errno);
      co_return t;
    }
    const dns::TcpFramer::Result fed =
        framer.feed(std::string_view(chunk, static_cast<std::size_t>(n)));
    if (fed.status == dns::TcpFramer::Status::error) {
      t.note = "sent a badly framed answer";
      co_return t;
    }
    if (fed.status == dns::TcpFramer::Status::done) break;
  }
  std::string why;
  const std::optional<dns::Response> r = dns::parse_response(framer.message(), &why, limits_);
  if (!r) {
    t.note = "answered with something that is no DNS response (" + why + ")";
  } else if (!answers_query(*r, id, name, type)) {
    t.note = "its answer does not match the query";
  } else {
    co_return judged(*r, true);
  }
  co_return t;
}

}  // namespace mv
