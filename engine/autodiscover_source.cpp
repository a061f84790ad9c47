// SPDX-License-Identifier: Apache-2.0
#include "engine/autodiscover_source.hpp"

#include "engine/discovery_urls.hpp"
#include "engine/https_follow.hpp"
#include "protocols/autoconfig/autodiscover.hpp"

namespace mv {

namespace {

constexpr const char* kStep = "discover.autodiscover";

Error source_error(ErrorKind kind, std::string detail, std::string_view server_says = {}) {
  Error e = make_error(kind, Protocol::none, std::move(detail), server_says);
  e.step = kStep;
  return e;
}

}  // namespace

Task<SourceOutcome> fetch_autodiscover(Pump& pump, TlsContext& tls, std::string url,
                                       std::string email, Timeouts timeouts, Report& report,
                                       const Limits& limits, ConnectRoute route) {
  SourceOutcome out;
  out.source = SettingsSource::autodiscover;
  out.origin = url;
  out.final_url = url;
  std::optional<Url> parsed = parse_url(url);
  if (!parsed) {
    out.error = source_error(ErrorKind::url,
                             "\"" + sanitize_server_text(url, 200) + "\" is not an absolute URL");
    co_return out;
  }
  const std::string first_domain = registered_domain(parsed->host);
  HttpRequest request;
  request.method = "POST";
  request.url = std::move(*parsed);
  request.headers = {{"Content-Type", "text/xml; charset=utf-8"}, {"Accept", "text/xml"}};
  request.body = autodiscover_request(email);
  std::optional<AutodiscoverAnswer> answer;
  std::string final_host;
  for (std::size_t hops = 0;; ++hops) {
    FollowOutcome got =
        co_await https_follow(pump, tls, request, timeouts, report, kStep, limits, route);
    out.final_url = got.final_url;
    final_host = got.final_host;
    for (const std::string& hop : got.hops) {
      out.redirects.push_back(hop);
      out.notes.push_back("redirected: " + hop);
    }
    out.left_domain = out.left_domain || got.left_domain;
    if (!got.response) {
      out.error = std::move(got.error);
      if (out.error.step.empty()) out.error.step = kStep;
      co_return out;
    }
    const HttpResponse& response = *got.response;
    if (response.status == 401) {
      const std::string* challenge = response.header("WWW-Authenticate");
      out.error = source_error(
          ErrorKind::discover_needs_auth,
          out.final_url + " answers only with the account's credentials (HTTP 401" +
              (challenge ? ", " + sanitize_server_text(*challenge, 80) : std::string()) +
              "), which discovery never sends");
      co_return out;
    }
    if (response.status != 200) {
      out.error = source_error(response.status == 404 || response.status == 410
                                   ? ErrorKind::discover_not_found
                                   : ErrorKind::discover_status,
                               out.final_url + " answered HTTP " + std::to_string(response.status) +
                                   " " + sanitize_server_text(response.reason, 80));
      co_return out;
    }
    Error error;
    answer = parse_autodiscover_response(response.body, error, limits);
    if (!answer) {
      out.error = std::move(error);
      out.error.detail = out.final_url + ": " + out.error.detail;
      out.error.step = kStep;
      co_return out;
    }
    if (answer->action != AutodiscoverAnswer::Action::redirect_url) break;
    std::optional<Url> next = parse_url(answer->redirect);
    if (!next || !next->https) {
      out.error = source_error(ErrorKind::discover_redirect,
                               out.final_url + " answers redirectUrl \"" +
                                   sanitize_server_text(answer->redirect, 200) +
                                   "\", which is not an https:// URL: not followed");
      co_return out;
    }
    if (hops >= limits.max_redirects) {
      out.error = source_error(ErrorKind::discover_redirect,
                               out.final_url + " answers redirectUrl again after " +
                                   std::to_string(limits.max_redirects) + ": no more are followed");
      co_return out;
    }
    const std::string hop = out.final_url + " -> " + next->origin() + next->target;
    out.redirects.push_back(hop);
    out.notes.push_back("Autodiscover redirectUrl: " + hop);
    if (registered_domain(next->host) != first_domain) out.left_domain = true;
    request.url = std::move(*next);
  }
  if (out.left_domain)
    out.notes.push_back("a redirect left the domain of " + out.origin +
                        ": followed, but its settings may not name the certificate's host");
  out.notes.insert(out.notes.end(), answer->notes.begin(), answer->notes.end());
  switch (answer->action) {
    case AutodiscoverAnswer::Action::error:
      out.error = source_error(ErrorKind::discover_refused,
                               out.final_url + " answered Autodiscover error " + answer->error_code,
                               answer->error_message);
      co_return out;
    case AutodiscoverAnswer::Action::redirect_address:
      out.redirect_email = answer->redirect;
      out.error = source_error(ErrorKind::discover_redirect,
                               out.final_url + " redirects to the address " +
                                   sanitize_server_text(answer->redirect, 200) +
                                   ": discovery must ask again for that address");
      co_return out;
    default:
      break;
  }
  if (!answer->exchange_only.empty())
    out.notes.push_back("the account also offers Exchange-only protocols (" +
                        comma_list(answer->exchange_only) + "), which this tool does not check");
  if (answer->servers.empty()) {
    out.error =
        source_error(ErrorKind::discover_document,
                     out.final_url + " names no IMAP, POP3 or SMTP server" +
                         (answer->exchange_only.empty() ? std::string()
                                                        : ": the account is Exchange-only (" +
                                                              comma_list(answer->exchange_only) +
                                                              "), which this tool does not check"));
    co_return out;
  }
  const std::string user_domain = email_domain(email);
  const bool trusted = !out.left_domain && host_within(final_host, user_domain);
  add_candidates(out, std::move(answer->servers), trusted);
  co_return out;
}

}  // namespace mv
