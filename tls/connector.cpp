// SPDX-License-Identifier: Apache-2.0
#include "tls/connector.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>

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

addrinfo make_hints(Family family, int flags) {
  addrinfo hints{};
  hints.ai_family = family == Family::ipv4   ? AF_INET
                    : family == Family::ipv6 ? AF_INET6
                                             : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  // No AI_ADDRCONFIG: on a host with only loopback it would hide ::1 and 127.0.0.1.
  hints.ai_flags = AI_NUMERICSERV | flags;
  return hints;
}

// getaddrinfo's answer as packed sockaddr bytes, in its order; frees the list.
std::vector<std::string> take_addresses(addrinfo* list) {
  std::vector<std::string> packed;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next)
    packed.emplace_back(reinterpret_cast<const char*>(ai->ai_addr), ai->ai_addrlen);
  freeaddrinfo(list);
  return packed;
}

}  // namespace

// One name lookup on a thread of its own, shared by the connectors that ask for the same name
// (and family) while it runs: the registry (in_flight()), the thread and each waiting connector
// hold a reference; whoever drops the last frees it. Plain atomics rather than shared_ptr: in a
// static build libstdc++ may decide the program has no threads and count shared_ptr references
// non-atomically.
struct Connector::Lookup {
  std::string key;
  std::string host;
  addrinfo hints{};
  Resolver resolver = nullptr;
  int wake[2] = {-1, -1};  // the thread writes one byte to wake[1] once the answer is in
  int rc = 0;              // the answer: valid once done is true
  int err = 0;
  std::vector<std::string> addresses;  // packed sockaddrs (port 0) when rc is 0
  std::atomic<bool> done{false};
  std::atomic<int> refs{1};  // the registry's

  ~Lookup() {
    for (int fd : wake)
      if (fd >= 0) ::close(fd);
  }
  static void release(Lookup* l) {
    if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete l;
  }
};

namespace {

// Lookups under way, by key. Main thread only.
struct InFlight {
  std::map<std::string, Connector::Lookup*> by_key;
  ~InFlight() {
    for (auto& [key, lookup] : by_key)
      Connector::Lookup::release(lookup);
  }
};

// Addresses found so far (port 0), by key: a run lasts seconds and its sessions (the second IMAP
// session, the accounts of a batch) mostly share their hosts. Main thread only.
std::map<std::string, std::vector<std::string>>& answers() {
  static std::map<std::string, std::vector<std::string>> known;
  return known;
}

}  // namespace

std::map<std::string, Connector::Lookup*>& Connector::in_flight() {
  static InFlight registry;
  return registry.by_key;
}

void* Connector::lookup_main(void* arg) {
  auto* l = static_cast<Lookup*>(arg);
  addrinfo* list = nullptr;
  l->rc = l->resolver(l->host.c_str(), nullptr, &l->hints, &list);
  l->err = errno;
  if (l->rc == 0) l->addresses = take_addresses(list);
  l->done.store(true, std::memory_order_release);
  const char byte = 1;
  (void)!::write(l->wake[1], &byte, 1);
  Lookup::release(l);
  return nullptr;
}

Connector::Connector(std::string host, unsigned port, Family family, Resolver resolver)
    : host_(std::move(host)), port_(port), family_(family) {
  // An address literal needs no lookup: parse it here, no thread, no name server.
  const addrinfo numeric = make_hints(family, AI_NUMERICHOST);
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
  const std::string key = std::to_string(reinterpret_cast<std::uintptr_t>(resolver)) + " " +
                          std::to_string(static_cast<int>(family)) + " " + host_;
  if (auto known = answers().find(key); known != answers().end()) {
    addresses_ = known->second;
    start_next();
    return;
  }
  Lookup*& l = in_flight()[key];
  if (l == nullptr && !(l = start_lookup(key, family, resolver))) {
    in_flight().erase(key);
    fail_lookup(EAI_SYSTEM, errno);
    return;
  }
  l->refs.fetch_add(1, std::memory_order_relaxed);
  lookup_ = l;
  if (l->done.load(std::memory_order_acquire)) on_ready();  // answered while nobody waited
}

Connector::Lookup* Connector::start_lookup(const std::string& key, Family family,
                                           Resolver resolver) {
  auto* l = new Lookup;
  l->key = key;
  l->host = host_;
  l->hints = make_hints(family, 0);
  l->resolver = resolver;
  if (::pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    const int err = errno;
    delete l;
    errno = err;
    return nullptr;
  }
  l->refs.fetch_add(1, std::memory_order_relaxed);  // the thread's
  pthread_attr_t attr;
  pthread_t thread;
  bool started = pthread_attr_init(&attr) == 0;
  if (started) {
    started = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
              pthread_create(&thread, &attr, &Connector::lookup_main, l) == 0;
    pthread_attr_destroy(&attr);
  }
  // No thread to be had: look up here, blocking; the answer is then in at once.
  if (!started) lookup_main(l);
  return l;
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
  if (lookup_ != nullptr) Lookup::release(lookup_);  // a running lookup frees it when done
  if (fd_ >= 0) ::close(fd_);
}

int Connector::fd() const {
  return lookup_ != nullptr ? lookup_->wake[0] : fd_;
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
    Lookup* l = lookup_;
    if (!l->done.load(std::memory_order_acquire)) return status_;  // spurious wake-up
    lookup_ = nullptr;
    // The first connector to see the answer retires the lookup: a later one asks again after a
    // failure, or finds the addresses among the answers.
    if (auto it = in_flight().find(l->key); it != in_flight().end() && it->second == l) {
      in_flight().erase(it);
      Lookup::release(l);  // the registry's reference; this connector still holds its own
      if (l->rc == 0) answers()[l->key] = l->addresses;
    }
    if (l->rc != 0) {
      fail_lookup(l->rc, l->err);
    } else {
      addresses_ = l->addresses;
    }
    Lookup::release(l);
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
    Lookup::release(lookup_);  // the thread finishes (and frees it) on its own
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
