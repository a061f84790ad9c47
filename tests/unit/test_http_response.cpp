// SPDX-License-Identifier: Apache-2.0
// HTTP/1.1 response reader and request writer: framing by Content-Length, chunked and close,
// interim responses, every bound and every ambiguity refused. Every stream is fed at every split.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocols/http/request.hpp"
#include "protocols/http/response.hpp"
#include "protocols/http/url.hpp"
#include "tests/support/split_feed.hpp"

namespace {

// "200|body|header-count" or "ERR code", after feeding chunks (and EOF when asked).
std::string read(const std::vector<std::string_view>& chunks, bool eof,
                 const mv::Limits& limits = mv::kDefaultLimits) {
  mv::HttpResponseReader reader(limits);
  for (std::string_view c : chunks)
    reader.feed(c);
  if (eof) reader.on_eof();
  if (reader.error()) return "ERR " + reader.error().code;
  if (!reader.complete()) return "INCOMPLETE";
  const mv::HttpResponse& r = reader.response();
  return std::to_string(r.status) + "|" + r.body + "|" + std::to_string(r.headers.size());
}

std::string every_split(std::string_view input, bool eof,
                        const mv::Limits& limits = mv::kDefaultLimits) {
  return mv::test::same_for_every_split<std::string>(
      input, [&](const auto& chunks) { return read(chunks, eof, limits); },
      [](const std::string& whole, const std::string& split, std::size_t i) {
        INFO("split " << i);
        CHECK(whole == split);
      });
}

}  // namespace

TEST_CASE("http: Content-Length body, headers kept, case-insensitive lookup") {
  const std::string in =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
      "X-Trace:  a b \r\n\r\n{\"ok\":true}";
  CHECK(every_split(in, false) == "200|{\"ok\":true}|3");
  mv::HttpResponseReader r;
  CHECK(r.feed(in + "EXTRA") == in.size());  // bytes after the response are not taken
  CHECK(r.complete());
  REQUIRE(r.response().header("x-trace"));
  CHECK(*r.response().header("X-TRACE") == "a b");
  CHECK(r.response().header("Location") == nullptr);
}

TEST_CASE("http: chunked body with extensions and trailers; interim 100 skipped") {
  const std::string in =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\n{\"err\r\n"
      "A\r\nor\":\"x\"}  \r\n0\r\nTrailer: t\r\n\r\n";
  CHECK(every_split(in, false) == "400|{\"error\":\"x\"}  |1");
}

TEST_CASE("http: body until close, bare LF lines, 204 without body") {
  CHECK(every_split("HTTP/1.0 200 OK\nServer: x\n\nhello", true) == "200|hello|1");
  CHECK(read({"HTTP/1.1 200 OK\r\n\r\nhel"}, false) == "INCOMPLETE");
  CHECK(every_split("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", false) == "204||1");
  CHECK(every_split("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false) == "200||1");
}

TEST_CASE("http: truncated responses are errors, never a short success") {
  CHECK(every_split("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true) ==
        "ERR http.truncated");
  CHECK(every_split("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true) ==
        "ERR http.truncated");
  CHECK(every_split("HTTP/1.1 200 OK\r\nContent-Le", true) == "ERR http.truncated");
  CHECK(read({}, true) == "ERR http.truncated");
}

TEST_CASE("http: ambiguous framing is refused") {
  CHECK(every_split("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                    true) == "ERR http.length");
  CHECK(every_split("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                    true) == "ERR http.length");
  CHECK(every_split("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                    false) == "200|abc|2");
  CHECK(every_split("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", true) == "ERR http.length");
  CHECK(every_split("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", true) ==
        "ERR http.length");
  CHECK(every_split("HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", true) == "ERR http.header");
  CHECK(every_split("HTTP/1.1 200 OK\r\nBad Name: a\r\n\r\n", true) == "ERR http.header");
  CHECK(every_split("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", true) == "ERR http.header");
  CHECK(every_split("HTTP/1.1 2x0 OK\r\n\r\n", true) == "ERR http.status_line");
  CHECK(every_split("HTTP/2 200 OK\r\n\r\n", true) == "ERR http.status_line");
  CHECK(every_split("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true) ==
        "ERR http.chunk");
  CHECK(every_split("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
                    true) == "ERR http.chunk");
}

TEST_CASE("http: not HTTP at all (TLS alert, a mail greeting, plaintext where TLS was due)") {
  CHECK(every_split("\x15\x03\x03\x00\x02\x02\x46", true) == "ERR http.not_http");
  CHECK(every_split("220 mail.example.com ESMTP\r\n", true) == "ERR http.not_http");
  CHECK(every_split("* OK IMAP ready\r\n", true) == "ERR http.not_http");
}

TEST_CASE("http: every bound holds") {
  mv::Limits small;
  small.max_http_line = 40;
  small.max_http_headers = 2;
  small.max_http_header_bytes = 80;
  small.max_http_body = 8;
  CHECK(every_split("HTTP/1.1 200 OK\r\nX: " + std::string(60, 'a') + "\r\n\r\n", true, small) ==
        "ERR http.too_large");
  CHECK(every_split("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", true, small) ==
        "ERR http.too_large");
  CHECK(every_split("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n123456789", true, small) ==
        "ERR http.too_large");
  CHECK(every_split("HTTP/1.1 200 OK\r\n\r\n123456789", true, small) == "ERR http.too_large");
  // Endless chunks: the body bound ends them.
  std::string endless = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i)
    endless += "1\r\nx\r\n";
  CHECK(every_split(endless, true, small) == "ERR http.too_large");
  // Errors stick and swallow what follows.
  mv::HttpResponseReader r(small);
  r.feed("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
  CHECK(r.error().code == "http.too_large");
  CHECK(r.feed("more") == 4);
  r.on_eof();
  CHECK(r.error().code == "http.too_large");
}

TEST_CASE("http: each bound is enforced at the value configured in Limits") {
  // The longest line is "Content-Length: 3" with CRLF (19 bytes); the headers are that line and
  // the empty one (21 bytes); one header; a body of 3 bytes.
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  struct Case {
    const char* name;
    std::size_t mv::Limits::*field;
    std::size_t exact;
  };
  for (const Case c : {Case{"max_http_line", &mv::Limits::max_http_line, 19},
                       Case{"max_http_headers", &mv::Limits::max_http_headers, 1},
                       Case{"max_http_header_bytes", &mv::Limits::max_http_header_bytes, 21},
                       Case{"max_http_body", &mv::Limits::max_http_body, 3}}) {
    INFO(c.name);
    mv::Limits limits;
    limits.*c.field = c.exact;
    CHECK(every_split(in, false, limits) == "200|abc|1");
    limits.*c.field = c.exact - 1;
    CHECK(every_split(in, false, limits) == "ERR http.too_large");
  }
}

TEST_CASE("http: request writer, exact bytes; header injection refused") {
  mv::HttpRequest req;
  req.method = "POST";
  req.url = *mv::parse_url("https://login.example.com/tenant/oauth2/v2.0/token?x=1");
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "a=1";
  CHECK(*mv::write_request(req, "mailverify") ==
        "POST /tenant/oauth2/v2.0/token?x=1 HTTP/1.1\r\nHost: login.example.com\r\n"
        "User-Agent: mailverify\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 3\r\nConnection: close\r\n\r\na=1");
  req.headers = {{"X", "a\r\nInjected: 1"}};
  CHECK_FALSE(mv::write_request(req, "mailverify"));
  req.headers.clear();
  req.url = *mv::parse_url("https://[::1]:8443");
  req.method = "GET";
  req.body.clear();
  CHECK(*mv::write_request(req, "ua") ==
        "GET / HTTP/1.1\r\nHost: [::1]:8443\r\nUser-Agent: ua\r\nConnection: close\r\n\r\n");
}

TEST_CASE("http: URLs") {
  auto u = mv::parse_url("https://127.0.0.1:14443/devicecode");
  REQUIRE(u);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 14443);
  CHECK(u->target == "/devicecode");
  CHECK(u->https);
  u = mv::parse_url("HTTPS://login.microsoftonline.com?x=1");
  REQUIRE(u);
  CHECK(u->port == 443);
  CHECK(u->target == "/?x=1");
  CHECK(u->origin() == "https://login.microsoftonline.com");
  CHECK_FALSE(mv::parse_url("https://user:pw@host/"));
  CHECK_FALSE(mv::parse_url("https://host:99999/"));
  CHECK_FALSE(mv::parse_url("https://host/a b"));
  CHECK_FALSE(mv::parse_url("https://host/#frag"));
  CHECK_FALSE(mv::parse_url("ftp://host/"));
  CHECK_FALSE(mv::parse_url("https:///path"));
  CHECK(mv::parse_url("http://localhost:8080/")->https == false);
  // RFC 3986 section 3.2.2: brackets hold an IPv6 literal and nothing else; a name has none.
  u = mv::parse_url("https://[2001:db8::1.2.3.4]:8443/x");
  REQUIRE(u);
  CHECK(u->host == "2001:db8::1.2.3.4");
  CHECK(u->origin() == "https://[2001:db8::1.2.3.4]:8443");
  CHECK_FALSE(mv::parse_url("http://[[]:"));  // found by fuzz_http_request: host "[" kept
  CHECK_FALSE(mv::parse_url("https://[]/"));
  CHECK_FALSE(mv::parse_url("https://[login.example.com]/"));
  CHECK_FALSE(mv::parse_url("https://[::1]x/"));
  CHECK_FALSE(mv::parse_url("https://[::1/"));
  CHECK_FALSE(mv::parse_url("https://host]/"));
  CHECK_FALSE(mv::parse_url("https://ho[st/"));
}
