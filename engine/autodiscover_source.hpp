// SPDX-License-Identifier: Apache-2.0
// Microsoft Autodiscover (POX) as a settings-discovery source: POST the request for the address
// to one endpoint (engine/discovery_urls.hpp's autodiscover_urls, or a test's), follow HTTP
// redirects and redirectUrl answers within Limits::max_redirects (https only, a hop leaving the
// domain reported and distrusted), and turn the IMAP/POP3/SMTP settings into SettingsCandidates.
// No credentials are ever sent: a 401 is the outcome "answers only with credentials"
// ("discover.needs_auth"); an Exchange-only answer (EXCH, EXPR, WEB) says so; redirectAddr ends
// with redirect_email set, for the plan to ask again for that address; an Error response carries
// the service's code and message. identity_trusted as for autoconfig under the domain: the answer
// came over HTTPS from within the address's domain, no redirect leaving it.
#pragma once

#include <string>

#include "core/limits.hpp"
#include "engine/https_request.hpp"
#include "engine/source_outcome.hpp"

namespace mv {

// The report gets the steps "discover.autodiscover.connect", ".tls", ...
Task<SourceOutcome> fetch_autodiscover(Pump& pump, TlsContext& tls, std::string url,
                                       std::string email, Timeouts timeouts, Report& report,
                                       const Limits& limits = kDefaultLimits,
                                       ConnectRoute route = {});

}  // namespace mv
