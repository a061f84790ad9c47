// SPDX-License-Identifier: Apache-2.0
// tcp_transport(): tls/connector behind the Dial interface, unchanged (a thin wrapper, so the
// connector and its resolver evolve on their own).
#include "engine/transport.hpp"

namespace mv {

namespace {

class TcpDial final : public Dial {
 public:
  TcpDial(const std::string& host, unsigned port, Family family) : connector_(host, port, family) {}
  Status status() const override { return connector_.status(); }
  int fd() const override { return connector_.fd(); }
  short events() const override { return connector_.events(); }
  Status on_ready() override { return connector_.on_ready(); }
  Status on_attempt_timeout() override { return connector_.on_attempt_timeout(); }
  int release() override { return connector_.release(); }
  const Error& error() const override { return connector_.error(); }
  const std::string& peer() const override { return connector_.peer(); }

 private:
  Connector connector_;
};

class TcpTransport final : public Transport {
 public:
  std::unique_ptr<Dial> dial(const std::string& host, unsigned port, Family family) override {
    return std::make_unique<TcpDial>(host, port, family);
  }
};

}  // namespace

Transport& tcp_transport() {
  static TcpTransport transport;
  return transport;
}

}  // namespace mv
