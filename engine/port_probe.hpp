// SPDX-License-Identifier: Apache-2.0
// When the SMTP port does not answer, which of the other submission ports do: TCP connects only,
// to every port at once on the plan's pump (other plans keep running), bounded by one timeout; no
// byte is sent. Turns "587 is blocked" into "465 works: use implicit TLS", as the providers'
// troubleshooting pages advise by hand.
#pragma once

#include <string>
#include <vector>

#include "engine/pump.hpp"
#include "engine/session.hpp"
#include "engine/task.hpp"

namespace mv {

struct PortProbe {
  unsigned port = 0;
  bool open = false;
  std::string detail;  // "accepts connections", "refused", or the failure in words
};

// Probes base.host on each port (base's family; TLS mode irrelevant: connect only), in order.
Task<std::vector<PortProbe>> probe_ports(Pump& pump, TlsContext& tls, Endpoint base,
                                         std::vector<unsigned> ports, Millis timeout);

}  // namespace mv
