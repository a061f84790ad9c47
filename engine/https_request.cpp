// SPDX-License-Identifier: Apache-2.0
#include "engine/https_request.hpp"

#include "protocols/http/exchange.hpp"

namespace mv {

Task<HttpOutcome> https_request(Pump& pump, TlsContext& tls, HttpRequest request, Timeouts timeouts,
                                Report& report, std::string step, const Limits& limits,
                                ConnectRoute route) {
  HttpOutcome out;
  if (!request.url.https) {
    out.error = make_error(ErrorKind::url, Protocol::none,
                           "refusing plain http:// for " + request.url.origin() +
                               ": the endpoints this tool talks to need https://");
    co_return out;
  }
  std::optional<std::string> bytes = write_request(request, "mailverify");
  if (!bytes) {
    out.error =
        make_error(ErrorKind::url, Protocol::none,
                   "the request to " + request.url.origin() + " has a line break in a field");
    co_return out;
  }
  HttpExchange exchange(std::move(*bytes), limits);
  Endpoint endpoint;
  endpoint.host = request.url.host;
  endpoint.port = request.url.port;
  endpoint.tls = TlsMode::implicit;
  if (route) {
    Error routed = co_await route(endpoint);
    if (routed) {
      out.error = std::move(routed);
      if (out.error.step.empty()) out.error.step = step + ".connect";
      co_return out;
    }
  }
  Session session(pump.transport(), step, endpoint, tls, exchange, timeouts, report);
  pump.add(session);
  co_await pump.until([&] { return session.finished(); });
  if (session.phase() == Session::Phase::failed) {
    out.error = session.error();
    if (out.error.step.empty()) out.error.step = step;
    co_return out;
  }
  if (!exchange.done()) {
    out.error = make_error(
        ErrorKind::http_truncated, Protocol::none,
        "the connection to " + request.url.origin() + " ended before a whole HTTP response");
    out.error.step = step;
    co_return out;
  }
  out.response = std::move(exchange.response());
  co_return out;
}

}  // namespace mv
