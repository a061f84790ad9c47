// SPDX-License-Identifier: Apache-2.0
#include "tools/provider_list.hpp"

#include <string>
#include <vector>

#include "tools/presets.hpp"

namespace mv::tool {

namespace {

std::string server(const ServerPreset& s) {
  if (!s.present()) return "-";
  return std::string(s.host) + ":" + std::to_string(s.port) + " " +
         std::string(tls_mode_name(s.tls));
}

}  // namespace

void print_provider_table(std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {
      {"provider", "IMAP", "POP3", "SMTP", "also SMTP", "domains"}};
  for (const ProviderPreset& p : all_presets()) {
    std::string domains;
    for (std::string_view d : p.domains)
      domains += (domains.empty() ? "" : " ") + std::string(d);
    if (domains.empty()) domains = "(--provider only)";
    rows.push_back({std::string(p.name), server(p.imap), server(p.pop3), server(p.smtp),
                    server(p.smtp_alternative), domains});
  }
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(width[i] - r[i].size() + 2, ' ');  // last column: ragged
    }
    out << line << "\n";
  }
  out << "\n";
  for (const ProviderPreset& p : all_presets())
    out << p.name << ": " << p.display << ". " << p.note << "\n";
  out << "\nA preset is picked from the --email domain (\"live.*\": live. with any country "
         "suffix) or by --provider; every explicit --host/--smtp-*/--imap-*/--pop3-* option "
         "overrides it.\n";
}

}  // namespace mv::tool
