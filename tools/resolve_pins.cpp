// SPDX-License-Identifier: Apache-2.0
#include "tools/resolve_pins.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "protocols/common/ascii.hpp"

namespace mv::tool {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "HOST:PORT:" at the start, HOST without brackets or colons.
bool starts_entry(std::string_view v) {
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) v.remove_prefix(1);
  const std::size_t c1 = v.find(':');
  if (c1 == std::string_view::npos || c1 == 0 ||
      v.substr(0, c1).find('[') != std::string_view::npos)
    return false;
  const std::size_t c2 = v.find(':', c1 + 1);
  return c2 != std::string_view::npos && all_digits(v.substr(c1 + 1, c2 - c1 - 1));
}

bool valid_literal(const std::string& a) {
  unsigned char buf[16];
  return inet_pton(AF_INET, a.c_str(), buf) == 1 || inet_pton(AF_INET6, a.c_str(), buf) == 1;
}

}  // namespace

std::optional<ResolvePin> parse_resolve(std::string_view value, std::string& error) {
  const std::string shown = "--resolve " + std::string(value);
  std::string_view v = value;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  if (!starts_entry(v)) {
    error = shown + ": expected HOST:PORT:ADDRESS[,ADDRESS...] (as curl's --resolve)";
    return std::nullopt;
  }
  if (v.front() == '-') {
    error = shown + ": removing an entry (-HOST:PORT) is not supported";
    return std::nullopt;
  }
  ResolvePin pin;
  const std::size_t c1 = v.find(':'), c2 = v.find(':', c1 + 1);
  for (char c : v.substr(0, c1))
    pin.host += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  pin.port = static_cast<unsigned>(std::stoul(std::string(v.substr(c1 + 1, c2 - c1 - 1))));
  if (pin.port == 0 || pin.port > 65535) {
    error = shown + ": bad port";
    return std::nullopt;
  }
  std::string_view rest = v.substr(c2 + 1);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view one = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (one.size() >= 2 && one.front() == '[' && one.back() == ']')
      one = one.substr(1, one.size() - 2);
    const std::string address(one);
    if (!valid_literal(address)) {
      error = shown + ": \"" + address + "\" is not an IPv4 or IPv6 address";
      return std::nullopt;
    }
    pin.addresses.push_back(address);
  }
  if (pin.addresses.empty()) {
    error = shown + ": no address";
    return std::nullopt;
  }
  return pin;
}

std::vector<std::string> rejoin_resolve_values(const std::vector<std::string>& pieces) {
  std::vector<std::string> values;
  for (const std::string& p : pieces) {
    if (values.empty() || starts_entry(p))
      values.push_back(p);
    else
      values.back() += "," + p;
  }
  return values;
}

std::string pinned_address(const std::vector<ResolvePin>& pins, std::string_view host,
                           unsigned port) {
  for (const ResolvePin& pin : pins) {  // the first use for a HOST:PORT wins, as in curl
    if (pin.port != port || (pin.host != "*" && !iequals(pin.host, host))) continue;
    std::string joined;
    for (const std::string& a : pin.addresses)
      joined += (joined.empty() ? "" : ",") + a;
    return joined;
  }
  return {};
}

namespace {

// One field of a --connect-to value, up to the next ':' (an IPv6 address in brackets, returned
// without them); false when a bracket is not closed or not followed by ':' or the end.
bool next_field(std::string_view& rest, std::string& field) {
  field.clear();
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return false;
    field = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
  } else {
    const std::size_t colon = std::min(rest.find(':'), rest.size());
    field = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon);
  }
  if (!rest.empty()) rest.remove_prefix(1);  // the ':'
  return true;
}

bool read_port(const std::string& field, unsigned& port) {
  if (field.empty()) return true;  // any, or the same
  if (!all_digits(field)) return false;
  port = static_cast<unsigned>(std::stoul(field));
  return port >= 1 && port <= 65535;
}

}  // namespace

std::optional<ConnectTo> parse_connect_to(std::string_view value, std::string& error) {
  const std::string shown = "--connect-to " + std::string(value);
  std::string_view rest = value;
  std::string fields[4];
  for (std::string& field : fields) {
    if (!next_field(rest, field)) {
      error = shown + ": an unclosed [ or a ] not followed by a colon";
      return std::nullopt;
    }
  }
  if (!rest.empty() || std::count(value.begin(), value.end(), ':') < 3) {
    error = shown + ": expected HOST1:PORT1:HOST2:PORT2 (as curl's --connect-to; IPv6 in brackets)";
    return std::nullopt;
  }
  ConnectTo c;
  for (char ch : fields[0])
    c.from_host += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
  c.to_host = fields[2];
  if (!read_port(fields[1], c.from_port) || !read_port(fields[3], c.to_port)) {
    error = shown + ": bad port";
    return std::nullopt;
  }
  return c;
}

ConnectTarget connect_target(const std::vector<ConnectTo>& connect_to,
                             const std::vector<ResolvePin>& pins, std::string_view host,
                             unsigned port) {
  std::string to_host(host);
  unsigned to_port = port;
  for (const ConnectTo& c : connect_to) {  // the first that applies wins, as in curl
    if (!c.from_host.empty() && !iequals(c.from_host, host)) continue;
    if (c.from_port != 0 && c.from_port != port) continue;
    if (!c.to_host.empty()) to_host = c.to_host;
    if (c.to_port != 0) to_port = c.to_port;
    break;
  }
  ConnectTarget t;
  t.port = to_port;
  t.address = pinned_address(pins, to_host, to_port);
  if (t.address.empty() && !iequals(to_host, host)) t.address = to_host;
  return t;
}

}  // namespace mv::tool
