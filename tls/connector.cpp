// SPDX-License-Identifier: Apache-2.0
#include "tls/connector.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace mv {

namespace {

std::string format_peer(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  const auto* in4 = reinterpret_cast<const sockaddr_in*>(sa);
  inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(in4->sin_port));
}

const char* short_reason(int err) {
  switch (err) {
    case ECONNREFUSED:
      return "refused";
    case ENETUNREACH:
      return "network unreachable";
    case EHOSTUNREACH:
      return "host unreachable";
    case ETIMEDOUT:
      return "timed out";
    default:
      return nullptr;
  }
}

}  // namespace

Connector::Connector(std::string host, unsigned port, Family family, AddressCache& cache)
    : host_(std::move(host)), port_(port), family_(family), cache_(cache) {
  // An address literal needs no lookup: parse it here, no thread, no name server.
  const addrinfo numeric = tcp_hints(family, AI_NUMERICHOST);
  addrinfo* list = nullptr;
  if (host_.find(',') != std::string::npos) {  // several literals (--resolve): each in turn
    for (std::size_t from = 0; from <= host_.size();) {
      const std::size_t comma = std::min(host_.find(',', from), host_.size());
      const std::string one = host_.substr(from, comma - from);
      from = comma + 1;
      if (getaddrinfo(one.c_str(), nullptr, &numeric, &list) != 0) continue;  // -4/-6 skips some
      for (std::string& a : take_addresses(list))
        addresses_.push_back(std::move(a));
    }
    if (addresses_.empty()) {
      fail_lookup(EAI_NONAME, 0);
      return;
    }
    start_next();
    return;
  }
  const int rc = getaddrinfo(host_.c_str(), nullptr, &numeric, &list);
  if (rc != EAI_NONAME) {
    if (rc != 0) {
      fail_lookup(rc, errno);
      return;
    }
    addresses_ = take_addresses(list);
    start_next();
    return;
  }
  if (const std::vector<std::string>* known = cache_.known(host_, family)) {
    addresses_ = *known;
    start_next();
    return;
  }
  lookup_ = cache_.join(host_, family);
  if (lookup_ == nullptr) {
    fail_lookup(EAI_SYSTEM, errno);
    return;
  }
  if (AddressCache::done(lookup_)) on_ready();  // answered while nobody waited
}

void Connector::fail_lookup(int rc, int err) {
  const std::string why = rc == EAI_SYSTEM ? std::strerror(err) : gai_strerror(rc);
  const char* fam = family_ == Family::ipv4   ? " (IPv4 only)"
                    : family_ == Family::ipv6 ? " (IPv6 only)"
                                              : "";
  error_ = make_error(ErrorKind::dns, Protocol::none,
                      "cannot resolve host name " + host_ + fam + ": " + why);
  status_ = Status::failed;
}

Connector::~Connector() {
  if (lookup_ != nullptr) AddressCache::abandon(lookup_);  // a running lookup frees it when done
  if (fd_ >= 0) ::close(fd_);
}

int Connector::fd() const {
  return lookup_ != nullptr ? AddressCache::wake_fd(lookup_) : fd_;
}

short Connector::events() const {
  return lookup_ != nullptr ? POLLIN : POLLOUT;
}

void Connector::note_attempt(const std::string& what) {
  if (!attempts_.empty()) attempts_ += "; ";
  attempts_ += peer_ + ": " + what;
}

void Connector::start_next() {
  while (next_ < addresses_.size()) {
    std::string& packed = addresses_[next_++];
    // Looked up without a service: the port goes in here.
    auto* sa = reinterpret_cast<sockaddr*>(packed.data());
    if (sa->sa_family == AF_INET6) {
      reinterpret_cast<sockaddr_in6*>(sa)->sin6_port = htons(static_cast<std::uint16_t>(port_));
    } else if (sa->sa_family == AF_INET) {
      reinterpret_cast<sockaddr_in*>(sa)->sin_port = htons(static_cast<std::uint16_t>(port_));
    }
    peer_ = format_peer(sa);
    fd_ = ::socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd_ < 0) {
      fail_current("socket", errno);
      continue;
    }
    int rc;
    do {
      rc = ::connect(fd_, sa, static_cast<socklen_t>(packed.size()));
    } while (rc != 0 && errno == EINTR);
    if (rc == 0) {
      connected();
      return;
    }
    if (errno == EINPROGRESS) {
      status_ = Status::in_progress;
      return;
    }
    fail_current("connect", errno);
  }
  give_up();
}

void Connector::connected() {
  // Mail protocols are request/response: Nagle would hold each short command for a delayed ACK.
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  note_attempt("ok");
  status_ = Status::connected;
}

void Connector::fail_current(const std::string& what, int err) {
  last_errno_ = err;
  if (err == ECONNREFUSED) ++refused_;
  if (err == ENETUNREACH || err == EHOSTUNREACH) ++unreachable_;
  if (err == ETIMEDOUT) ++timed_out_;
  const char* reason = short_reason(err);
  note_attempt(reason ? std::string(reason) : what + ": " + std::strerror(err));
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Connector::give_up() {
  status_ = Status::failed;
  const std::string where = host_ + " port " + std::to_string(port_);
  const std::string tried = " (tried " + attempts_ + ")";
  // The most telling outcome wins: a refusal proves the host is up, a timeout points at a
  // firewall, while "unreachable" is often just an IPv6 address without a route.
  if (refused_ > 0) {
    error_ = make_error(ErrorKind::refused, Protocol::none,
                        "connection to " + where + " refused: nothing listens there" + tried);
  } else if (timed_out_ > 0) {
    error_ = make_error(ErrorKind::timeout, Protocol::none,
                        "no answer from " + where +
                            " before the deadline; a firewall silently dropping packets is the "
                            "likely reason" +
                            tried);
  } else if (unreachable_ > 0) {
    error_ = make_error(ErrorKind::unreachable, Protocol::none,
                        where + " is unreachable: no route to it" + tried);
  } else if (addresses_.empty()) {
    error_ = make_error(ErrorKind::dns, Protocol::none, "host name " + host_ + " has no address");
  } else {
    error_ = make_error(ErrorKind::connect, Protocol::none,
                        "cannot connect to " + where + ": " + std::strerror(last_errno_) + tried);
  }
}

Connector::Status Connector::on_ready() {
  if (status_ != Status::in_progress) return status_;
  if (lookup_ != nullptr) {
    if (!AddressCache::done(lookup_)) return status_;  // spurious wake-up
    const AddressCache::Answer answer = cache_.finish(lookup_);
    lookup_ = nullptr;
    if (answer.rc != 0) {
      fail_lookup(answer.rc, answer.err);
    } else {
      addresses_ = answer.addresses;
    }
    if (status_ == Status::in_progress) start_next();
    return status_;
  }
  if (fd_ < 0) return status_;
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err == 0) {
    // A spurious wake-up leaves the socket unconnected; getpeername tells.
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    if (getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &sl) == 0) {
      connected();
      return status_;
    }
    if (errno != ENOTCONN)
      err = errno;
    else
      return status_;
  }
  if (err == EINPROGRESS || err == EALREADY) return status_;
  fail_current("connect", err);
  start_next();
  return status_;
}

Connector::Status Connector::on_attempt_timeout() {
  if (status_ != Status::in_progress) return status_;
  if (lookup_ != nullptr) {
    AddressCache::abandon(lookup_);  // the thread finishes (and frees it) on its own
    lookup_ = nullptr;
    error_ = make_error(ErrorKind::dns, Protocol::none,
                        "cannot resolve host name " + host_ +
                            ": no answer from the name server before the deadline");
    status_ = Status::failed;
    return status_;
  }
  fail_current("connect", ETIMEDOUT);
  start_next();
  return status_;
}

int Connector::release() {
  if (status_ != Status::connected) return -1;
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

}  // namespace mv
