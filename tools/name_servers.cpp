// SPDX-License-Identifier: Apache-2.0
#include "tools/name_servers.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace mv::tool {

namespace {

bool is_literal(const std::string& a) {
  unsigned char buf[16];
  return inet_pton(AF_INET, a.c_str(), buf) == 1 || inet_pton(AF_INET6, a.c_str(), buf) == 1;
}

}  // namespace

std::optional<NameServer> parse_dns_server(std::string_view value, std::string& error) {
  const std::string shown = "--dns-server " + std::string(value);
  NameServer server;
  std::optional<std::string_view> port;  // nullopt: none given (53)
  if (!value.empty() && value.front() == '[') {
    const std::size_t close = value.find(']');
    if (close == std::string_view::npos) {
      error = shown + ": no closing ]";
      return std::nullopt;
    }
    server.address = std::string(value.substr(1, close - 1));
    std::string_view rest = value.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        error = shown + ": expected :PORT after the ]";
        return std::nullopt;
      }
      port = rest.substr(1);
    }
  } else if (std::count(value.begin(), value.end(), ':') == 1) {
    const std::size_t colon = value.find(':');
    server.address = std::string(value.substr(0, colon));
    port = value.substr(colon + 1);
  } else {
    server.address = std::string(value);  // IPv4, or IPv6 without a port
  }
  if (!is_literal(server.address)) {
    error = shown + ": \"" + server.address +
            "\" is not an IPv4 or IPv6 address (a name server is given by address; an IPv6 one "
            "with a port in brackets: [::1]:5353)";
    return std::nullopt;
  }
  if (port) {
    unsigned n = 0;
    bool ok = !port->empty() && port->size() <= 5;
    for (char c : *port) {
      if (c < '0' || c > '9') ok = false;
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (!ok || n == 0 || n > 65535) {
      error = shown + ": bad port \"" + std::string(*port) + "\"";
      return std::nullopt;
    }
    server.port = n;
  }
  return server;
}

std::vector<NameServer> parse_resolv_conf(std::string_view text) {
  std::vector<NameServer> servers;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, address;
    if (!(words >> key) || key != "nameserver" || !(words >> address)) continue;
    if (const std::size_t scope = address.find('%'); scope != std::string::npos)
      address.resize(scope);
    if (is_literal(address)) servers.push_back({address, 53});
  }
  return servers;
}

std::vector<NameServer> system_name_servers(std::string& why) {
  const char* path = "/etc/resolv.conf";
  std::ifstream file(path);
  if (!file) {
    why = std::string("cannot read ") + path + " to find a name server: give --dns-server ADDRESS";
    return {};
  }
  std::ostringstream text;
  text << file.rdbuf();
  std::vector<NameServer> servers = parse_resolv_conf(text.str());
  if (servers.empty()) why = std::string(path) + " names no name server: give --dns-server ADDRESS";
  return servers;
}

}  // namespace mv::tool
