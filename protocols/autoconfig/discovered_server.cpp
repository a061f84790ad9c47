// SPDX-License-Identifier: Apache-2.0
#include "protocols/autoconfig/discovered_server.hpp"

#include "core/error.hpp"
#include "protocols/common/ascii.hpp"
#include "protocols/xml/document.hpp"

namespace mv {

namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string fill_placeholders(std::string_view text, std::string_view email) {
  const std::size_t at = email.rfind('@');
  const std::string_view local = at == std::string_view::npos ? email : email.substr(0, at);
  const std::string_view domain =
      at == std::string_view::npos ? std::string_view() : email.substr(at + 1);
  static constexpr std::string_view kAddress = "%EMAILADDRESS%", kLocal = "%EMAILLOCALPART%",
                                    kDomain = "%EMAILDOMAIN%";
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::string_view rest = text.substr(i);
    if (istarts_with(rest, kAddress)) {
      out += email;
      i += kAddress.size();
    } else if (istarts_with(rest, kLocal)) {
      out += local;
      i += kLocal.size();
    } else if (istarts_with(rest, kDomain)) {
      out += domain;
      i += kDomain.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::optional<std::string> normalize_host(std::string_view text) {
  text = xml_trim(text);
  if (text.ends_with('.')) text.remove_suffix(1);
  if (text.empty() || text.size() > 253) return std::nullopt;
  std::string host;
  std::size_t label = 0;
  for (char c : text) {
    if (c == '.') {
      if (label == 0) return std::nullopt;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_') {
      if (++label > 63) return std::nullopt;
    } else {
      return std::nullopt;
    }
    host += lower(c);
  }
  if (label == 0) return std::nullopt;  // "mail..": an empty last label (one root dot is dropped)
  return host;
}

std::optional<unsigned> parse_port(std::string_view text) {
  text = xml_trim(text);
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v == 0 || v > 65535) return std::nullopt;
  return v;
}

bool set_host_port(DiscoveredServer& s, std::string_view host, std::string_view port,
                   const std::string& what, std::vector<std::string>& notes) {
  const std::optional<std::string> name = normalize_host(host);
  if (!name) {
    notes.push_back("skipped " + what + ": the host name \"" + sanitize_server_text(host, 80) +
                    "\" is not a host name");
    return false;
  }
  s.host = *name;
  const std::optional<unsigned> number = parse_port(port);
  if (!number) {
    notes.push_back("skipped " + what + " " + s.host + ": the port \"" +
                    sanitize_server_text(port, 20) + "\" is not a port");
    return false;
  }
  s.port = *number;
  return true;
}

std::string email_domain(std::string_view email) {
  const std::size_t at = email.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string out;
  for (char c : email.substr(at + 1))
    out += lower(c);
  return out;
}

}  // namespace mv
