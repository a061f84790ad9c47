// SPDX-License-Identifier: Apache-2.0
#include "tools/mx_providers.hpp"

#include <algorithm>
#include <array>

#include "engine/discovery_urls.hpp"
#include "protocols/common/ascii.hpp"

namespace mv::tool {

namespace {

using namespace std::string_view_literals;

constexpr std::array kMxTable = {
    MxProvider{
        ".mail.protection.outlook.com"sv, "Microsoft 365"sv, "office365"sv, false,
        "learn.microsoft.com/microsoft-365/enterprise/external-domain-name-system-records"sv},
    MxProvider{"aspmx.l.google.com"sv, "Google Workspace"sv, "gmail"sv, false,
               "support.google.com/a/answer/174125"sv},
    MxProvider{".aspmx.l.google.com"sv, "Google Workspace"sv, "gmail"sv, false,
               "support.google.com/a/answer/174125"sv},
    MxProvider{".googlemail.com"sv, "Google Workspace"sv, "gmail"sv, false,
               "support.google.com/a/answer/174125"sv},
    MxProvider{"smtp.google.com"sv, "Google Workspace"sv, "gmail"sv, false,
               "support.google.com/a/answer/140034"sv},
    MxProvider{".zoho.com"sv, "Zoho Mail"sv, "zoho"sv, false,
               "zoho.com/mail/help/adminconsole/configure-email-delivery.html"sv},
    MxProvider{".zoho.eu"sv, "Zoho Mail (EU data centre)"sv, ""sv, false,
               "zoho.com/mail/help/adminconsole/configure-email-delivery.html"sv},
    MxProvider{".messagingengine.com"sv, "Fastmail"sv, "fastmail"sv, false,
               "fastmail.help/hc/en-us/articles/360060591153"sv},
    MxProvider{".mail.icloud.com"sv, "iCloud Mail (custom domain)"sv, "icloud"sv, false,
               "support.apple.com/en-us/102374"sv},
    MxProvider{".yahoodns.net"sv, "Yahoo Mail"sv, "yahoo"sv, false,
               "help.yahoo.com (mail server settings)"sv},
    MxProvider{".gmx.net"sv, "GMX"sv, "gmx.net"sv, false, "hilfe.gmx.net/pop-imap"sv},
    MxProvider{".gmx.com"sv, "GMX"sv, "gmx"sv, false, "support.gmx.com/pop-imap"sv},
    MxProvider{".web.de"sv, "WEB.DE"sv, ""sv, false, "hilfe.web.de/pop-imap"sv},
    MxProvider{".ionos.de"sv, "IONOS"sv, ""sv, false, "ionos.com/help/email"sv},
    MxProvider{".ionos.com"sv, "IONOS"sv, ""sv, false, "ionos.com/help/email"sv},
    MxProvider{".kundenserver.de"sv, "IONOS"sv, ""sv, false, "ionos.com/help/email"sv},
    MxProvider{".mail.ovh.net"sv, "OVHcloud"sv, ""sv, false, "help.ovhcloud.com (MX records)"sv},
    MxProvider{".mimecast.com"sv, "Mimecast"sv, ""sv, true,
               "mimecast.com (MX records by region)"sv},
    MxProvider{".pphosted.com"sv, "Proofpoint"sv, ""sv, true, "proofpoint.com (Essentials MX)"sv},
    MxProvider{".ppe-hosted.com"sv, "Proofpoint Essentials"sv, ""sv, true,
               "proofpoint.com (Essentials MX)"sv},
    MxProvider{".barracudanetworks.com"sv, "Barracuda"sv, ""sv, true,
               "campus.barracuda.com (Email Gateway Defense MX)"sv},
    MxProvider{".messagelabs.com"sv, "Broadcom Email Security.cloud"sv, ""sv, true,
               "techdocs.broadcom.com (Email Security.cloud MX)"sv},
    MxProvider{".iphmx.com"sv, "Cisco Secure Email"sv, ""sv, true, "cisco.com (Cloud Gateway)"sv},
};

bool matches(std::string_view pattern, std::string_view host) {
  if (pattern.front() != '.') return iequals(pattern, host);
  return host.size() > pattern.size() &&
         iequals(host.substr(host.size() - pattern.size()), pattern);
}

}  // namespace

std::optional<MxProvider> recognise_mx(std::string_view mx_host) {
  for (const MxProvider& row : kMxTable)
    if (matches(row.pattern, mx_host)) return row;
  return std::nullopt;
}

std::vector<SettingsCandidate> preset_candidates(const ProviderPreset& preset,
                                                 SettingsSource source, const std::string& origin) {
  std::vector<SettingsCandidate> out;
  auto add = [&](ServerRole role, const ServerPreset& s) {
    if (!s.present()) return;
    SettingsCandidate c;
    c.role = role;
    c.host = std::string(s.host);
    c.port = s.port;
    c.tls = s.tls;
    if (preset.oauth2_only) c.auth = {"OAuth2"};
    c.source = source;
    c.origin = origin;
    c.identity_trusted = true;  // the host comes from the built-in table
    out.push_back(std::move(c));
  };
  add(ServerRole::smtp, preset.smtp);
  add(ServerRole::smtp, preset.smtp_alternative);
  add(ServerRole::imap, preset.imap);
  add(ServerRole::pop3, preset.pop3);
  return out;
}

Task<MxHosts> mx_hosts(DnsResolver& resolver, std::string domain, Millis deadline) {
  MxHosts out;
  out.answer = co_await resolver.query(domain, dns::kTypeMx, deadline);
  std::vector<dns::Record> mx;
  for (const dns::Record& r : out.answer.response.answers)
    if (r.type == dns::kTypeMx && r.target != "." && !r.target.empty()) mx.push_back(r);
  std::stable_sort(mx.begin(), mx.end(), [](const dns::Record& x, const dns::Record& y) {
    return x.preference < y.preference;
  });
  for (const dns::Record& r : mx)
    out.hosts.push_back(r.target);
  co_return out;
}

Task<SourceOutcome> mx_source(DnsResolver& resolver, std::string domain, Millis deadline) {
  SourceOutcome out;
  out.source = SettingsSource::mx_provider;
  out.origin = "MX of " + domain;
  const MxHosts mx = co_await mx_hosts(resolver, domain, deadline);
  const DnsAnswer& a = mx.answer;
  if (a.status == DnsAnswer::Status::failed) {
    out.status = SourceStatus::failed;
    out.detail = "MX of " + domain + ": " + a.why;
    co_return out;
  }
  if (mx.hosts.empty()) {
    out.detail = a.status == DnsAnswer::Status::nxdomain ? domain + " does not exist (NXDOMAIN)"
                                                         : "no MX record for " + domain;
    co_return out;
  }
  const std::string& host = mx.hosts.front();
  out.mx_domain = registered_domain(host);
  const std::optional<MxProvider> p = recognise_mx(host);
  if (!p) {
    out.detail =
        "MX " + host + " is no provider the tool knows (registered domain " + out.mx_domain + ")";
    co_return out;
  }
  if (p->filter) {
    out.detail = "MX " + host + " is " + std::string(p->display) +
                 ", a mail filter, not a mailbox provider: the mailboxes are elsewhere";
    co_return out;
  }
  const ProviderPreset* preset = p->preset.empty() ? nullptr : preset_by_name(p->preset);
  if (!preset) {
    out.detail = "MX " + host + " is " + std::string(p->display) +
                 ", whose settings the tool does not carry";
    co_return out;
  }
  out.candidates = preset_candidates(*preset, SettingsSource::mx_provider,
                                     "MX " + host + " (" + std::string(p->display) + ")");
  out.status = SourceStatus::found;
  out.detail = "MX " + host + " is " + std::string(p->display);
  if (!preset->note.empty()) out.notes.push_back(std::string(preset->note));
  co_return out;
}

}  // namespace mv::tool
