#include "tls/connector.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
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

Connector::Connector(std::string host, unsigned port, Family family)
    : host_(std::move(host)), port_(port) {
  addrinfo hints{};
  hints.ai_family = family == Family::ipv4   ? AF_INET
                    : family == Family::ipv6 ? AF_INET6
                                             : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  // No AI_ADDRCONFIG: on a host with only loopback it would hide ::1 and 127.0.0.1.
  hints.ai_flags = AI_NUMERICSERV;
  const std::string service = std::to_string(port_);
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host_.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) {
    std::string why = rc == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(rc);
    const char* fam = family == Family::ipv4   ? " (IPv4 only)"
                      : family == Family::ipv6 ? " (IPv6 only)"
                                               : "";
    error_ = make_error(Category::network, "net.dns",
                        "cannot resolve host name " + host_ + fam + ": " + why);
    status_ = Status::failed;
    return;
  }
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    addresses_.emplace_back(reinterpret_cast<const char*>(ai->ai_addr), ai->ai_addrlen);
  }
  freeaddrinfo(list);
  start_next();
}

Connector::~Connector() {
  if (fd_ >= 0) ::close(fd_);
}

void Connector::note_attempt(const std::string& what) {
  if (!attempts_.empty()) attempts_ += "; ";
  attempts_ += peer_ + ": " + what;
}

void Connector::start_next() {
  while (next_ < addresses_.size()) {
    const std::string& packed = addresses_[next_++];
    const auto* sa = reinterpret_cast<const sockaddr*>(packed.data());
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
    error_ = make_error(Category::network, "net.refused",
                        "connection to " + where + " refused: nothing listens there" + tried);
  } else if (timed_out_ > 0) {
    error_ = make_error(Category::network, "net.timeout",
                        "no answer from " + where +
                            " before the deadline; a firewall silently dropping packets is the "
                            "likely reason" +
                            tried);
  } else if (unreachable_ > 0) {
    error_ = make_error(Category::network, "net.unreachable",
                        where + " is unreachable: no route to it" + tried);
  } else if (addresses_.empty()) {
    error_ = make_error(Category::network, "net.dns", "host name " + host_ + " has no address");
  } else {
    error_ = make_error(Category::network, "net.connect",
                        "cannot connect to " + where + ": " + std::strerror(last_errno_) + tried);
  }
}

Connector::Status Connector::on_writable() {
  if (status_ != Status::in_progress || fd_ < 0) return status_;
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
