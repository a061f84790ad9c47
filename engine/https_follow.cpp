// SPDX-License-Identifier: Apache-2.0
#include "engine/https_follow.hpp"

#include "engine/discovery_urls.hpp"
#include "protocols/common/ascii.hpp"

namespace mv {

namespace {

std::string url_text(const Url& url) {
  return url.origin() + url.target;
}

Error redirect_error(std::string detail, const std::string& step) {
  Error e = make_error(ErrorKind::discover_redirect, Protocol::none, std::move(detail));
  e.step = step;
  return e;
}

}  // namespace

Task<FollowOutcome> https_follow(Pump& pump, TlsContext& tls, HttpRequest request,
                                 Timeouts timeouts, Report& report, std::string step,
                                 const Limits& limits, ConnectRoute route) {
  FollowOutcome out;
  const std::string first_domain = registered_domain(request.url.host);
  // A discovery document's body is bounded by the XML document's size, not the token answers'.
  Limits http = limits;
  http.max_http_body = limits.max_xml_document;
  for (std::size_t hop = 0;; ++hop) {
    out.final_url = url_text(request.url);
    out.final_host = request.url.host;
    HttpOutcome answer =
        co_await https_request(pump, tls, request, timeouts, report, step, http, route);
    if (!answer.response) {
      out.error = std::move(answer.error);
      co_return out;
    }
    const int status = answer.response->status;
    const bool redirect =
        status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    if (!redirect) {
      out.response = std::move(answer.response);
      co_return out;
    }
    const std::string* location = answer.response->header("Location");
    if (!location || location->empty()) {
      out.error = redirect_error(
          out.final_url + " answered HTTP " + std::to_string(status) + " without a Location", step);
      co_return out;
    }
    const std::string where = sanitize_server_text(*location, 200);
    std::optional<Url> next;
    if (location->starts_with("/") && !location->starts_with("//")) {
      next = request.url;  // an absolute path on the same origin
      if (!parse_url("https://x" + *location))
        next.reset();
      else
        next->target = *location;
    } else {
      next = parse_url(*location);
    }
    if (!next) {
      out.error = redirect_error(out.final_url + " redirects to \"" + where +
                                     "\", which is not an absolute https:// URL or path",
                                 step);
      co_return out;
    }
    if (!next->https) {
      out.error = redirect_error(out.final_url + " redirects to plain " + where +
                                     ", which is never fetched (its answer could be forged)",
                                 step);
      co_return out;
    }
    if (hop >= limits.max_redirects) {
      out.error = redirect_error(out.final_url + " redirects again (to " + where + ") after " +
                                     std::to_string(limits.max_redirects) +
                                     " redirects; no more are followed",
                                 step);
      co_return out;
    }
    out.hops.push_back(out.final_url + " -> " + url_text(*next));
    if (registered_domain(next->host) != first_domain) out.left_domain = true;
    if (status == 303) {
      request.method = "GET";
      request.body.clear();
    }
    request.url = std::move(*next);
  }
}

}  // namespace mv
