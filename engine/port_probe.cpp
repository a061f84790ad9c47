// SPDX-License-Identifier: Apache-2.0
#include "engine/port_probe.hpp"

#include <memory>

namespace mv {

namespace {

// A probe session stops right after connect (Session::StopAt::connect), so its conversation is
// never asked anything; this one says nothing.
class NoConversation final : public Conversation {
 public:
  void on_bytes(std::string_view) override {}
  void on_eof() override {}
  std::string_view output() override { return {}; }
  void consume(std::size_t) override {}
  bool wants_tls() const override { return false; }
  void on_tls_ready() override {}
  std::optional<Event> next_event() override { return std::nullopt; }
  bool done() const override { return true; }
  const Error& error() const override { return error_; }

 private:
  Error error_;
};

}  // namespace

Task<std::vector<PortProbe>> probe_ports(Pump& pump, TlsContext& tls, Endpoint base,
                                         std::vector<unsigned> ports, Millis timeout) {
  NoConversation silent;
  Report scratch;  // the probes' own steps; the caller reports the summary
  Timeouts timeouts;
  timeouts.connect = timeout;
  std::vector<std::unique_ptr<Session>> sessions;
  for (unsigned port : ports) {
    Endpoint e = base;
    e.port = port;
    sessions.push_back(std::make_unique<Session>(pump.transport(), "probe", e, tls, silent,
                                                 timeouts, scratch, nullptr));
    sessions.back()->stop_at(Session::StopAt::connect);
    pump.add(*sessions.back());
  }
  co_await pump.until([&] {
    for (const auto& s : sessions)
      if (!s->finished()) return false;
    return true;
  });
  std::vector<PortProbe> results;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const Session& s = *sessions[i];
    PortProbe p{ports[i], s.phase() == Session::Phase::closed, "accepts connections"};
    if (!p.open) p.detail = s.error().code == "net.refused" ? "refused" : s.error().detail;
    results.push_back(std::move(p));
  }
  co_return results;
}

}  // namespace mv
