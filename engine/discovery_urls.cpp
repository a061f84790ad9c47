// SPDX-License-Identifier: Apache-2.0
#include "engine/discovery_urls.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/oauth2/form.hpp"

namespace mv {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;
  for (char c : host)
    if ((c < '0' || c > '9') && c != '.') return false;
  return true;
}

}  // namespace

std::string autoconfig_subdomain_url(std::string_view domain, std::string_view email) {
  return "https://autoconfig." + std::string(domain) +
         "/mail/config-v1.1.xml?emailaddress=" + percent_encode(email);
}

std::string autoconfig_well_known_url(std::string_view domain, std::string_view email) {
  return "https://" + std::string(domain) +
         "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=" + percent_encode(email);
}

std::string ispdb_url(std::string_view base, std::string_view domain) {
  std::string url(base);
  if (!url.ends_with('/')) url += '/';
  return url + std::string(domain);
}

std::vector<std::string> autodiscover_urls(std::string_view domain) {
  const std::string d(domain);
  return {"https://" + d + "/autodiscover/autodiscover.xml",
          "https://autodiscover." + d + "/autodiscover/autodiscover.xml"};
}

std::vector<AutoconfigRequest> autoconfig_requests(std::string_view domain, std::string_view email,
                                                   std::string_view ispdb_base,
                                                   std::string_view mx_domain) {
  const std::string d(domain);
  std::vector<AutoconfigRequest> out{
      {SettingsSource::autoconfig_subdomain, autoconfig_subdomain_url(domain, email), d},
      {SettingsSource::autoconfig_well_known, autoconfig_well_known_url(domain, email), d},
      {SettingsSource::ispdb, ispdb_url(ispdb_base, domain), d}};
  if (!mx_domain.empty() && !iequals(mx_domain, domain))
    out.push_back(
        {SettingsSource::ispdb_mx, ispdb_url(ispdb_base, mx_domain), std::string(mx_domain)});
  return out;
}

std::string registered_domain(std::string_view host) {
  std::string h = lower(host);
  if (h.ends_with('.')) h.pop_back();
  if (ip_literal(h)) return h;
  const std::size_t last = h.rfind('.');
  if (last == std::string::npos || last == 0) return h;
  const std::size_t second = h.rfind('.', last - 1);
  const std::string_view tld = std::string_view(h).substr(last + 1);
  const std::string_view sld = second == std::string::npos
                                   ? std::string_view(h).substr(0, last)
                                   : std::string_view(h).substr(second + 1, last - second - 1);
  static constexpr std::string_view kPublicSecondLevel[] = {"co",  "com", "net", "org", "ac",
                                                            "gov", "edu", "ne",  "or"};
  bool public_sld = false;
  if (tld.size() == 2)
    for (std::string_view p : kPublicSecondLevel)
      public_sld = public_sld || sld == p;
  if (second == std::string::npos) return h;
  if (!public_sld) return h.substr(second + 1);
  const std::size_t third = h.rfind('.', second - 1);
  return third == std::string::npos || second == 0 ? h : h.substr(third + 1);
}

bool host_within(std::string_view host, std::string_view domain) {
  if (domain.empty()) return false;
  if (iequals(host, domain)) return true;
  return host.size() > domain.size() + 1 && host[host.size() - domain.size() - 1] == '.' &&
         iequals(host.substr(host.size() - domain.size()), domain);
}

}  // namespace mv
