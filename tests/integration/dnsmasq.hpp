// SPDX-License-Identifier: Apache-2.0
// A real local name server for the discovery tests: dnsmasq on 127.0.0.1 at the stack's port base
// + 153, authoritative (local=) for the stack's domain and other.test, serving the records a test
// gives; and the stack facts those tests share.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace mv::test {

// The stack's port base (its submission port is base + 587).
unsigned port_base();

// The stack's mail domain ("mailverify.test").
std::string domain();

// Whether dnsmasq is installed (scripts/setup.sh installs dnsmasq-base).
bool have_dnsmasq();

// dnsmasq in the foreground with a generated configuration, ready when constructed (it has logged
// "started"); stopped (by its PID) when destroyed.
class Dnsmasq {
 public:
  // records: srv-host=, mx-host=, host-record= lines for the configuration.
  explicit Dnsmasq(const std::vector<std::string>& records);
  ~Dnsmasq();
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void stop();  // by its PID, and its directory removed
  pid_t pid_ = -1;
  unsigned port_ = 0;
  std::string dir_;
};

}  // namespace mv::test
