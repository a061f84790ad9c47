// SPDX-License-Identifier: Apache-2.0
// Which name servers discovery asks: --dns-server ADDR[:PORT] (repeatable; an IPv6 address in
// brackets when it has a port: [::1]:5353), else the nameserver lines of /etc/resolv.conf.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/dns_resolver.hpp"

namespace mv::tool {

// One --dns-server value; nullopt with an error naming the value.
std::optional<NameServer> parse_dns_server(std::string_view value, std::string& error);

// The nameserver lines of a resolv.conf text (port 53; a scope suffix "%eth0" is dropped, since
// the resolver connects by literal); comments and other lines ignored.
std::vector<NameServer> parse_resolv_conf(std::string_view text);

// /etc/resolv.conf's servers; empty with why when it cannot be read or names none.
std::vector<NameServer> system_name_servers(std::string& why);

}  // namespace mv::tool
