// SPDX-License-Identifier: Apache-2.0
// Exit codes of verify-roundtrip, one per failing stage, documented in --help and the README.
#pragma once

#include "core/error.hpp"

namespace mv::tool {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 2,          // bad command line or configuration
  kExitNetwork = 3,        // DNS, connect, timeout, connection lost
  kExitTls = 4,            // TLS handshake, certificate, STARTTLS missing/refused/injected
  kExitAuth = 5,           // credentials refused
  kExitPolicy = 6,         // refused by policy (plaintext auth, basic auth disabled)
  kExitDelivery = 7,       // message refused, not delivered, modified
  kExitProtocol = 8,       // the server broke the protocol
  kExitTemporary = 9,      // the server refused for now (4xx, [UNAVAILABLE], [SYS/TEMP]): retry
  kExitInterrupted = 130,  // SIGINT or SIGTERM ended the run early (128 + SIGINT, as shells do)
};

inline int exit_code_for(const Error& e) {
  switch (e.category) {
    case Category::none:
      return kExitOk;
    case Category::usage:
      return kExitUsage;
    case Category::network:
      return kExitNetwork;
    case Category::tls:
      return kExitTls;
    case Category::auth:
      return kExitAuth;
    case Category::policy:
      return kExitPolicy;
    case Category::delivery:
      return kExitDelivery;
    case Category::protocol:
      return kExitProtocol;
    case Category::temporary:
      return kExitTemporary;
    case Category::interrupted:
      return kExitInterrupted;
  }
  return kExitProtocol;
}

inline constexpr const char* kExitCodeHelp =
    "Exit codes: 0 passed, 2 usage, 3 network (DNS, connect, timeout), 4 TLS (handshake, "
    "certificate, STARTTLS), 5 authentication, 6 refused by policy, 7 message refused or not "
    "delivered, 8 protocol violation by the server, 9 temporary refusal by the server (4xx, \"try "
    "again later\": "
    "retry; never a credentials problem), 130 interrupted (SIGINT or SIGTERM: the test "
    "message is removed if it had arrived; a second signal ends at once). With --nagios: 0 OK, "
    "1 WARNING (warnings, --warning/--cert-warning passed, a temporary refusal), 2 CRITICAL (any "
    "failure, "
    "--critical/--cert-critical passed), 3 UNKNOWN (usage errors, interrupted).";

}  // namespace mv::tool
