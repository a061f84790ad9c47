// SPDX-License-Identifier: Apache-2.0
// One HTTPS request over the engine's own parts: a Session (TCP connect, TLS with the run's
// TlsContext: certificates and host names verified like the mail sessions') driving an
// HttpExchange in the caller's Pump. Generic: the OAuth2 sign-in uses it for token and device
// endpoints, settings discovery for autoconfig and Autodiscover documents. Redirects are never
// followed (a 3xx is returned as it is: the caller decides); plain http:// is refused
// ("usage.url"), since every endpoint this tool talks to carries secrets or settings that must not
// be forged.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/limits.hpp"
#include "engine/pump.hpp"
#include "engine/report.hpp"
#include "engine/session.hpp"
#include "protocols/http/request.hpp"
#include "tls/tls_context.hpp"

namespace mv {

struct HttpOutcome {
  std::optional<HttpResponse> response;  // set when a whole response came back
  Error error;                           // else why not (network, tls, protocol, usage)
};

// Where a connection goes instead of where the system resolver says (the tools' --connect-to,
// --resolve, and addresses looked up at --dns-server): sets the endpoint's address and
// connect_port before the connection; the host stays the name checked in the certificate. An
// error (the name does not resolve there) ends the request with it.
using ConnectRoute = std::function<Task<Error>(Endpoint&)>;

// step names the report's steps ("oauth2.token" -> "oauth2.token.connect", ".tls", ...); limits
// bound the response (Limits::max_http_*; discovery passes its XML document size as the body's).
Task<HttpOutcome> https_request(Pump& pump, TlsContext& tls, HttpRequest request, Timeouts timeouts,
                                Report& report, std::string step,
                                const Limits& limits = kDefaultLimits, ConnectRoute route = {});

}  // namespace mv
