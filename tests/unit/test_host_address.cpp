// SPDX-License-Identifier: Apache-2.0
// tls/host_address: what a user may type as a server, and what it means.
#include <doctest/doctest.h>

#include "tls/host_address.hpp"

using mv::HostAddress;
using mv::parse_host_address;

TEST_CASE("host_address/names stay names") {
  const auto h = parse_host_address("mail.example.com");
  REQUIRE(h);
  CHECK(h->kind == HostAddress::Kind::name);
  CHECK(h->host == "mail.example.com");
  CHECK(h->bytes.empty());
  CHECK_FALSE(h->literal());
}

TEST_CASE("host_address/IPv4 literals, bare and bracketed") {
  for (const char* typed : {"192.0.2.1", "[192.0.2.1]"}) {
    const auto h = parse_host_address(typed);
    REQUIRE(h);
    CHECK(h->kind == HostAddress::Kind::ipv4);
    CHECK(h->host == "192.0.2.1");
    CHECK(h->bytes == std::string("\xc0\x00\x02\x01", 4));
  }
}

TEST_CASE("host_address/IPv6 literals: bare, URL brackets, RFC 5321 tag; canonical text") {
  for (const char* typed : {"::1", "[::1]", "[IPv6:::1]", "[ipv6:0:0:0:0:0:0:0:1]"}) {
    const auto h = parse_host_address(typed);
    REQUIRE_MESSAGE(h, typed);
    CHECK(h->kind == HostAddress::Kind::ipv6);
    CHECK(h->host == "::1");
    CHECK(h->bytes.size() == 16);
  }
  const auto full = parse_host_address("2001:DB8:0:0:0:0:0:1");
  REQUIRE(full);
  CHECK(full->host == "2001:db8::1");
}

TEST_CASE("host_address/broken literals are refused, not looked up as names") {
  for (const char* typed : {"[::1", "[]", "[mail.example.com]", "[IPv6:192.0.2.1]", "::g",
                            "mail.example.com:587", "[::1]:993", "1:2"}) {
    CHECK_FALSE_MESSAGE(parse_host_address(typed), typed);
  }
}

TEST_CASE("host_address/display puts IPv6 in brackets") {
  CHECK(mv::display_host("::1") == "[::1]");
  CHECK(mv::display_host("127.0.0.1") == "127.0.0.1");
  CHECK(mv::display_host("mail.example.com") == "mail.example.com");
}
