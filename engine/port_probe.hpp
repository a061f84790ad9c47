// When the SMTP port does not answer, which of the other submission ports do: TCP connects only,
// to every port at once, bounded by one timeout; no byte is sent. Used to turn "587 is blocked"
// into "465 works: use implicit TLS", as the providers' troubleshooting pages advise by hand.
#pragma once

#include <string>
#include <vector>

#include "protocols/common/conversation.hpp"
#include "tls/connector.hpp"

namespace mv {

struct PortProbe {
  unsigned port = 0;
  bool open = false;
  std::string detail;  // "accepts connections" or the failure ("refused", "timed out")
};

std::vector<PortProbe> probe_ports(const std::string& host, const std::vector<unsigned>& ports,
                                   Family family, Millis timeout);

}  // namespace mv
