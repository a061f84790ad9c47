// SPDX-License-Identifier: Apache-2.0
#include "tools/discovery_output.hpp"

#include "tools/json_output.hpp"

namespace mv::tool {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return out;
}

std::string tls_words(TlsMode m) {
  return m == TlsMode::implicit ? "implicit TLS" : m == TlsMode::starttls ? "STARTTLS" : "no TLS";
}

std::string srv_order_words(const SettingsCandidate& c) {
  if (c.source != SettingsSource::srv) return "";
  return " (priority " + std::to_string(c.priority) + ", weight " + std::to_string(c.weight) + ")";
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& i : items)
    out += (out.size() > 1 ? "," : "") + json_quote(i);
  return out + "]";
}

}  // namespace

void print_discovery(std::ostream& out, const DiscoveryReport& report) {
  if (!report.ran) return;
  std::string servers;
  for (const NameServer& s : report.servers)
    servers += (servers.empty() ? "" : ", ") + s.text();
  out << "Discovery for " << report.result.domain << " (name servers: " << servers << ")\n";
  for (const SourceOutcome& o : report.result.outcomes) {
    out << "  " << settings_source_name(o.source) << " " << o.origin << ": "
        << source_status_name(o.status);
    if (!o.detail.empty()) out << ": " << o.detail;
    out << "\n";
    for (const std::string& r : o.redirects)
      out << "    redirected: " << r << "\n";
    if (!o.final_url.empty() && o.final_url != o.origin)
      out << "    answered by: " << o.final_url << "\n";
    for (const std::string& n : o.notes)
      out << "    note: " << n << "\n";
  }
  if (report.result.ranked.empty()) {
    out << "  no candidates\n";
    return;
  }
  out << "  candidates, best first:\n";
  for (const RankedCandidate& r : report.result.ranked) {
    const SettingsCandidate& c = r.candidate;
    out << "    " << upper(server_role_name(c.role)) << " " << c.host << ":" << c.port << " "
        << tls_words(c.tls) << "  from " << settings_source_name(c.source) << " " << c.origin
        << srv_order_words(c) << "\n";
    out << "      " << r.identity_note << "\n";
  }
  for (const RankedCandidate* r : report.chosen)
    out << "  using for " << upper(server_role_name(r->candidate.role)) << ": " << r->candidate.host
        << ":" << r->candidate.port << " " << tls_words(r->candidate.tls) << "\n";
}

std::string discovery_json(const DiscoveryReport& report) {
  if (!report.ran) return {};
  std::vector<std::string> servers;
  for (const NameServer& s : report.servers)
    servers.push_back(s.text());
  std::string j = "{\"domain\":" + json_quote(report.result.domain) +
                  ",\"name_servers\":" + quoted_list(servers) + ",\"sources\":[";
  bool first = true;
  for (const SourceOutcome& o : report.result.outcomes) {
    j += std::string(first ? "" : ",") +
         "{\"source\":" + json_quote(settings_source_name(o.source)) +
         ",\"origin\":" + json_quote(o.origin) +
         ",\"final_url\":" + (o.final_url.empty() ? "null" : json_quote(o.final_url)) +
         ",\"redirects\":" + quoted_list(o.redirects) +
         ",\"left_domain\":" + (o.left_domain ? "true" : "false") + ",\"redirect_email\":" +
         (o.redirect_email.empty() ? "null" : json_quote(o.redirect_email)) +
         ",\"error\":" + (o.error ? json_quote(o.error.code) : "null") +
         ",\"outcome\":" + json_quote(source_status_name(o.status)) +
         ",\"detail\":" + (o.detail.empty() ? "null" : json_quote(o.detail)) +
         ",\"notes\":" + quoted_list(o.notes) +
         ",\"mx_domain\":" + (o.mx_domain.empty() ? "null" : json_quote(o.mx_domain)) + "}";
    first = false;
  }
  j += "],\"candidates\":[";
  first = true;
  for (const RankedCandidate& r : report.result.ranked) {
    const SettingsCandidate& c = r.candidate;
    bool chosen = false;
    for (const RankedCandidate* x : report.chosen)
      chosen = chosen || x == &r;
    j += std::string(first ? "" : ",") + "{\"role\":" + json_quote(server_role_name(c.role)) +
         ",\"host\":" + json_quote(c.host) + ",\"port\":" + std::to_string(c.port) +
         ",\"tls\":" + json_quote(tls_mode_name(c.tls)) +
         ",\"source\":" + json_quote(settings_source_name(c.source)) +
         ",\"origin\":" + json_quote(c.origin) +
         ",\"identity_trusted\":" + (c.identity_trusted ? "true" : "false") +
         ",\"warning\":" + (r.warning ? "true" : "false") +
         ",\"identity_note\":" + json_quote(r.identity_note) +
         ",\"chosen\":" + (chosen ? "true" : "false") + "}";
    first = false;
  }
  return j + "]}";
}

}  // namespace mv::tool
