// SPDX-License-Identifier: Apache-2.0
// Name lookups for connectors (tls/connector.hpp), off the caller's loop, and the addresses found.
// getaddrinfo blocks for as long as the system resolver's own timeouts (5 s per try and server by
// default), so each lookup runs on a short-lived thread of its own and wakes the caller's poll
// through a pipe. Connectors asking for the same name (and family) together share one lookup,
// and a name found once is not looked up again through the same cache: a run lasts seconds, and
// its sessions and a batch's accounts mostly share their hosts.
// The cache is a value the connector is given: a run uses shared_address_cache(); a test that
// substitutes getaddrinfo (a slow one, a counting one) makes a cache of its own, so tests neither
// see each other's answers nor need keys that tell their resolvers apart.
// Main thread only, except the lookup threads, which touch only their own Lookup.
#pragma once

#include <netdb.h>

#include <map>
#include <string>
#include <vector>

namespace mv {

enum class Family { any, ipv4, ipv6 };

// getaddrinfo's signature.
using Getaddrinfo = int (*)(const char*, const char*, const addrinfo*, addrinfo**);

class AddressCache {
 public:
  explicit AddressCache(Getaddrinfo resolve = &::getaddrinfo) : resolve_(resolve) {}
  ~AddressCache();
  AddressCache(const AddressCache&) = delete;
  AddressCache& operator=(const AddressCache&) = delete;

  class Lookup;  // one name lookup under way, shared by its waiters

  // The addresses found earlier for host and family (packed sockaddrs, port 0); nullptr: none.
  const std::vector<std::string>* known(const std::string& host, Family family) const;

  // Joins the lookup under way for host and family, or starts one: the caller holds a reference
  // until it calls finish(). nullptr (errno set) when no pipe could be made.
  Lookup* join(const std::string& host, Family family);

  // The descriptor that becomes readable once the lookup is done.
  static int wake_fd(const Lookup* lookup);
  static bool done(const Lookup* lookup);
  // Once done: getaddrinfo's return code, its errno, and the addresses when rc is 0. The first
  // waiter to finish a successful lookup stores its addresses for known().
  struct Answer {
    int rc = 0;
    int err = 0;
    std::vector<std::string> addresses;
  };
  Answer finish(Lookup* lookup);
  // Drops the caller's reference without waiting for the answer (its deadline passed); the
  // thread frees the lookup when it ends.
  static void abandon(Lookup* lookup);

 private:
  static std::string key(const std::string& host, Family family);

  Getaddrinfo resolve_;
  std::map<std::string, Lookup*> in_flight_;
  std::map<std::string, std::vector<std::string>> answers_;
};

// The cache of a run: one per process.
AddressCache& shared_address_cache();

// getaddrinfo's hints for a TCP connect in this family, with these extra flags.
addrinfo tcp_hints(Family family, int flags);

// getaddrinfo's answer as packed sockaddr bytes, in its order; frees the list.
std::vector<std::string> take_addresses(addrinfo* list);

}  // namespace mv
