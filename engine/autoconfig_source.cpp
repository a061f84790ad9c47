// SPDX-License-Identifier: Apache-2.0
#include "engine/autoconfig_source.hpp"

#include "engine/discovery_urls.hpp"
#include "engine/https_follow.hpp"
#include "protocols/autoconfig/config_v11.hpp"

namespace mv {

namespace {

// The document's settings into the outcome, or its error.
void read_document(SourceOutcome& out, std::string_view document, std::string_view email,
                   std::string_view domain, bool trusted, const Limits& limits,
                   const std::string& step) {
  Error error;
  std::optional<ClientConfig> config = parse_client_config(document, email, error, limits);
  if (!config) {
    out.error = std::move(error);
    out.error.detail = out.final_url + ": " + out.error.detail;
  } else if (!config->covers(domain)) {
    out.error = make_error(
        ErrorKind::discover_wrong_domain, Protocol::none,
        out.final_url + " answered a document for " +
            (config->domains.empty() ? std::string("no domain") : comma_list(config->domains)) +
            ", not for " + std::string(domain) + ": not used");
  } else if (config->servers.empty()) {
    out.error = make_error(ErrorKind::discover_document, Protocol::none,
                           out.final_url + " names no IMAP, POP3 or SMTP server this tool checks");
  }
  if (config) out.notes.insert(out.notes.end(), config->notes.begin(), config->notes.end());
  if (out.error) {
    out.error.step = step;
    return;
  }
  if (config->oauth2)
    out.notes.push_back("the document names OAuth2 endpoints (issuer " +
                        sanitize_server_text(config->oauth2->issuer, 80) + ", scope " +
                        sanitize_server_text(config->oauth2->scope, 200) + ")");
  add_candidates(out, std::move(config->servers), trusted);
}

}  // namespace

Task<SourceOutcome> fetch_autoconfig(Pump& pump, TlsContext& tls, SettingsSource source,
                                     std::string url, std::string email, std::string domain,
                                     Timeouts timeouts, Report& report, const Limits& limits,
                                     ConnectRoute route) {
  SourceOutcome out;
  out.source = source;
  out.origin = url;
  out.final_url = url;
  const std::string step = "discover." + std::string(settings_source_name(source));
  std::optional<Url> parsed = parse_url(url);
  if (!parsed) {
    out.error = make_error(ErrorKind::url, Protocol::none,
                           "\"" + sanitize_server_text(url, 200) + "\" is not an absolute URL");
    out.error.step = step;
    co_return out;
  }
  HttpRequest request;
  request.url = std::move(*parsed);
  request.headers = {{"Accept", "application/xml, text/xml"}};
  FollowOutcome got =
      co_await https_follow(pump, tls, std::move(request), timeouts, report, step, limits, route);
  out.final_url = got.final_url;
  out.redirects = got.hops;
  out.left_domain = got.left_domain;
  for (const std::string& hop : got.hops)
    out.notes.push_back("redirected: " + hop);
  if (got.left_domain)
    out.notes.push_back("a redirect left the domain of " + out.origin +
                        ": followed, but its settings may not name the certificate's host");
  if (!got.response) {
    out.error = std::move(got.error);
    if (out.error.step.empty()) out.error.step = step;
    co_return out;
  }
  const int status = got.response->status;
  if (status != 200) {
    out.error = make_error(
        status == 404 || status == 410 ? ErrorKind::discover_not_found : ErrorKind::discover_status,
        Protocol::none,
        out.final_url + " answered HTTP " + std::to_string(status) + " " +
            sanitize_server_text(got.response->reason, 80));
    out.error.step = step;
    co_return out;
  }
  const std::string user_domain = email_domain(email);
  bool trusted = false;
  switch (source) {
    case SettingsSource::autoconfig_subdomain:
    case SettingsSource::autoconfig_well_known:
      trusted = !got.left_domain && host_within(got.final_host, user_domain);
      if (!trusted && !got.left_domain)
        out.notes.push_back("the document came from " + got.final_host + ", not from within " +
                            user_domain + ": its settings may not name the certificate's host");
      break;
    case SettingsSource::ispdb:
      trusted = !got.left_domain;
      break;
    case SettingsSource::ispdb_mx:
      out.notes.push_back("asked by the MX host's domain " + domain +
                          " (DNS, which an attacker could answer): its settings may not name the "
                          "certificate's host");
      break;
    default:
      break;
  }
  read_document(out, got.response->body, email, domain, trusted, limits, step);
  co_return out;
}

SourceOutcome local_ispdb_outcome(std::string_view document, std::string origin,
                                  std::string_view email, std::string_view domain,
                                  const Limits& limits) {
  SourceOutcome out;
  out.source = SettingsSource::ispdb_local;
  out.origin = origin;
  out.final_url = std::move(origin);
  if (document.size() > limits.max_xml_document) {
    out.error = make_error(
        ErrorKind::xml_limit, Protocol::none,
        out.final_url + " is larger than " + std::to_string(limits.max_xml_document) + " bytes");
    out.error.step = "discover.ispdb_local";
    return out;
  }
  read_document(out, document, email, domain, true, limits, "discover.ispdb_local");
  return out;
}

}  // namespace mv
