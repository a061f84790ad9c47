// SPDX-License-Identifier: Apache-2.0
#include "tls/address_cache.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace mv {

// One lookup on a thread of its own: the cache's registry (while in flight), the thread and each
// waiter hold a reference; whoever drops the last frees it. Plain atomics rather than shared_ptr:
// in a static build libstdc++ may decide the program has no threads and count shared_ptr
// references non-atomically.
class AddressCache::Lookup {
 public:
  std::string key;
  std::string host;
  addrinfo hints{};
  Getaddrinfo resolve = nullptr;
  int wake[2] = {-1, -1};  // the thread writes one byte to wake[1] once the answer is in
  Answer answer;           // valid once done is true
  std::atomic<bool> done{false};
  std::atomic<int> refs{1};  // the registry's

  ~Lookup() {
    for (int fd : wake)
      if (fd >= 0) ::close(fd);
  }
  static void release(Lookup* l) {
    if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete l;
  }
  static void* main(void* arg) {
    auto* l = static_cast<Lookup*>(arg);
    addrinfo* list = nullptr;
    l->answer.rc = l->resolve(l->host.c_str(), nullptr, &l->hints, &list);
    l->answer.err = errno;
    if (l->answer.rc == 0) l->answer.addresses = take_addresses(list);
    l->done.store(true, std::memory_order_release);
    const char byte = 1;
    (void)!::write(l->wake[1], &byte, 1);
    release(l);
    return nullptr;
  }
};

addrinfo tcp_hints(Family family, int flags) {
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

std::vector<std::string> take_addresses(addrinfo* list) {
  std::vector<std::string> packed;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next)
    packed.emplace_back(reinterpret_cast<const char*>(ai->ai_addr), ai->ai_addrlen);
  freeaddrinfo(list);
  return packed;
}

AddressCache::~AddressCache() {
  for (auto& [key, lookup] : in_flight_)
    Lookup::release(lookup);
}

std::string AddressCache::key(const std::string& host, Family family) {
  return std::to_string(static_cast<int>(family)) + " " + host;
}

const std::vector<std::string>* AddressCache::known(const std::string& host, Family family) const {
  auto it = answers_.find(key(host, family));
  return it == answers_.end() ? nullptr : &it->second;
}

AddressCache::Lookup* AddressCache::join(const std::string& host, Family family) {
  const std::string k = key(host, family);
  if (auto it = in_flight_.find(k); it != in_flight_.end()) {
    it->second->refs.fetch_add(1, std::memory_order_relaxed);
    return it->second;
  }
  auto* l = new Lookup;
  l->key = k;
  l->host = host;
  l->hints = tcp_hints(family, 0);
  l->resolve = resolve_;
  if (::pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    const int err = errno;
    delete l;
    errno = err;
    return nullptr;
  }
  l->refs.fetch_add(2, std::memory_order_relaxed);  // the thread's and the caller's
  in_flight_[k] = l;
  pthread_attr_t attr;
  pthread_t thread;
  bool started = pthread_attr_init(&attr) == 0;
  if (started) {
    started = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
              pthread_create(&thread, &attr, &Lookup::main, l) == 0;
    pthread_attr_destroy(&attr);
  }
  // No thread to be had: look up here, blocking; the answer is then in at once.
  if (!started) Lookup::main(l);
  return l;
}

int AddressCache::wake_fd(const Lookup* lookup) {
  return lookup->wake[0];
}

bool AddressCache::done(const Lookup* lookup) {
  return lookup->done.load(std::memory_order_acquire);
}

AddressCache::Answer AddressCache::finish(Lookup* l) {
  // The first waiter to see the answer retires the lookup: a later one asks again after a
  // failure, or finds the addresses among the answers.
  if (auto it = in_flight_.find(l->key); it != in_flight_.end() && it->second == l) {
    in_flight_.erase(it);
    Lookup::release(l);  // the registry's reference; the caller still holds its own
    if (l->answer.rc == 0) answers_[l->key] = l->answer.addresses;
  }
  Answer a = l->answer;
  Lookup::release(l);
  return a;
}

void AddressCache::abandon(Lookup* lookup) {
  Lookup::release(lookup);
}

AddressCache& shared_address_cache() {
  static AddressCache cache;
  return cache;
}

}  // namespace mv
