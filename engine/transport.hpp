// SPDX-License-Identifier: Apache-2.0
// Where a session's bytes go, as an input of the engine: a Session asks its Transport for the
// connection (a Dial) and for the Stream over the connected descriptor. In a run that is TCP
// through tls/connector and the mbedTLS stream (tcp_transport()); in tests, an in-memory pair
// served by a scripted peer (tests/support/memory_net.hpp), so plans, deadlines and hostile
// servers run on a virtual clock without the network.
#pragma once

#include <memory>
#include <string>

#include "core/error.hpp"
#include "tls/connector.hpp"
#include "tls/stream.hpp"

namespace mv {

// One connection being made, with tls/connector's contract: while in_progress, poll fd() for
// events() and call on_ready(), or on_attempt_timeout() when the caller's deadline passed;
// once connected, release() hands over the descriptor.
class Dial {
 public:
  using Status = Connector::Status;
  virtual ~Dial() = default;
  virtual Status status() const = 0;
  virtual int fd() const = 0;
  virtual short events() const = 0;
  virtual Status on_ready() = 0;
  virtual Status on_attempt_timeout() = 0;
  virtual int release() = 0;
  virtual const Error& error() const = 0;
  // "127.0.0.1:587" / "[::1]:993" of the current attempt or connection.
  virtual const std::string& peer() const = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Starts connecting to host (a name or address literals, comma-separated) on port.
  virtual std::unique_ptr<Dial> dial(const std::string& host, unsigned port, Family family) = 0;
  // The byte stream over a descriptor dial() connected (plaintext, upgraded to TLS in place).
  virtual std::unique_ptr<Stream> open(int fd) { return std::make_unique<Stream>(fd); }
};

// TCP (tls/connector: resolving, IPv6 and IPv4, non-blocking connects), shared by every session
// given no other transport.
Transport& tcp_transport();

}  // namespace mv
