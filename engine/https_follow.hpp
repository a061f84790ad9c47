// SPDX-License-Identifier: Apache-2.0
// An HTTPS request that follows redirects the way settings discovery may: at most
// Limits::max_redirects of them (301, 302, 303, 307, 308 with a Location), https:// only (a
// redirect to plain http:// is refused: a document fetched in the clear could name any server),
// and every hop recorded. A hop to another registered domain is followed too, but flagged
// (left_domain), so the caller says so and does not let that document name the certificate's
// host ("No HTTP redirect to another domain is followed without saying so", issue 12). The
// request keeps its method and body (303: GET without body), so a POST carries only what it
// carried before: discovery requests hold no secret.
#pragma once

#include <string>
#include <vector>

#include "core/limits.hpp"
#include "engine/https_request.hpp"

namespace mv {

struct FollowOutcome {
  std::optional<HttpResponse> response;  // the last answer, not a redirect
  Error error;                           // else why not ("discover.redirect" for a bad hop)
  std::string final_url;                 // the URL that gave the last answer (or failed)
  std::string final_host;                // its host
  std::vector<std::string> hops;         // "FROM -> TO" for each redirect followed
  bool left_domain = false;              // a hop went to another registered domain
};

Task<FollowOutcome> https_follow(Pump& pump, TlsContext& tls, HttpRequest request,
                                 Timeouts timeouts, Report& report, std::string step,
                                 const Limits& limits = kDefaultLimits, ConnectRoute route = {});

}  // namespace mv
