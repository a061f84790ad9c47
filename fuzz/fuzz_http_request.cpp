// SPDX-License-Identifier: Apache-2.0
// The HTTP client side of the OAuth2 sign-in: parse_url, write_request and HttpExchange. Input:
// option byte (bit 0 POST, bit 1 small limits, bits 6-7 consume step), the chunking seed, then
// length-prefixed URL (one length byte), header name and value (lengths modulo 32 and 64) and body
// (one length byte); the rest is the server's response stream. Asserts: an accepted URL has a host
// and an origin-form target free of spaces and controls, and origin() + target parses back to the
// same URL; write_request refuses CR, LF or NUL in any field and otherwise writes one request line,
// the header block and exactly the body after it; the exchange, driven like the engine's pump
// (session_harness.hpp), sends exactly the request and reads the same response (or error) as a
// reader fed the whole stream at once.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "fuzz/session_harness.hpp"
#include "protocols/http/exchange.hpp"
#include "protocols/http/request.hpp"
#include "protocols/http/url.hpp"

namespace {

constexpr std::size_t kConsumeSteps[] = {0, 1, 7, 64};

bool has_framing_bytes(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// The reader's or the exchange's result as one comparable string.
std::string outcome(const mv::Error& error, bool complete, const mv::HttpResponse& r) {
  if (error) return "ERR " + error.code;
  if (!complete) return "INCOMPLETE";
  std::string s = std::to_string(r.status) + "|" + r.body;
  for (const mv::HttpHeader& h : r.headers)
    s += "|" + h.name + ":" + h.value;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte();
  const std::uint8_t seed = in.byte();
  const std::string_view url_text = in.bytes(in.byte());
  const std::string_view name = in.bytes(in.byte() % 32);
  const std::string_view value = in.bytes(in.byte() % 64);
  const std::string_view body = in.bytes(in.byte());
  const std::string_view stream = in.rest();

  auto url = mv::parse_url(url_text);
  if (url) {
    FUZZ_CHECK(!url->host.empty(), "a URL without a host");
    FUZZ_CHECK(!url->target.empty() && url->target.front() == '/', url->target);
    for (char c : url->host + url->target)
      FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != '#', "bad byte kept");
    FUZZ_CHECK(url->port >= 1 && url->port <= 65535, "port out of range");
    const auto again = mv::parse_url(url->origin() + url->target);
    FUZZ_CHECK(again && again->https == url->https && again->host == url->host &&
                   again->port == url->port && again->target == url->target,
               url->origin() + url->target);
  } else {
    url = mv::parse_url("https://login.example.test/oauth2/token");
    FUZZ_CHECK(url.has_value(), "the fallback URL");
  }

  mv::HttpRequest request;
  request.method = (mode & 1u) ? "POST" : "GET";
  request.url = *url;
  request.headers.push_back({std::string(name), std::string(value)});
  request.body = std::string(body);
  const auto bytes = mv::write_request(request, "mailverify-fuzz");
  const bool injectable = name.empty() || name.find(':') != std::string_view::npos ||
                          has_framing_bytes(name) || has_framing_bytes(value);
  FUZZ_CHECK(bytes.has_value() != injectable, "write_request accepted or refused wrongly");
  if (!bytes) return 0;
  const std::string line = request.method + " " + url->target + " HTTP/1.1\r\n";
  FUZZ_CHECK(bytes->compare(0, line.size(), line) == 0, "request line");
  const std::size_t end = bytes->find("\r\n\r\n");
  FUZZ_CHECK(end != std::string::npos && bytes->substr(end + 4) == body, "body after the header");
  // One request line, Host, User-Agent, the one header, maybe Content-Length, Connection.
  std::size_t lines = 0;
  for (std::size_t p = 0; p < end + 2; p = bytes->find("\r\n", p) + 2)
    ++lines;
  FUZZ_CHECK(lines == 5 + (request.method == "POST" || !body.empty() ? 1 : 0), "header lines");

  mv::Limits limits;
  if (mode & 2u) {
    limits.max_http_line = 32;
    limits.max_http_headers = 3;
    limits.max_http_header_bytes = 96;
    limits.max_http_body = 16;
  }
  mv::HttpExchange exchange(*bytes, limits);
  mv::fuzz::SessionConfig cfg;
  cfg.proto = "http";
  cfg.tls_from_start = true;
  cfg.consume_step = kConsumeSteps[mode >> 6];
  cfg.input = stream;
  mv::fuzz::SessionHarness harness(exchange, cfg, nullptr);
  harness.run(mv::fuzz::split(stream, seed));

  mv::HttpResponseReader whole(limits);
  whole.feed(stream);
  whole.on_eof();
  const std::string got = outcome(exchange.error(), exchange.done(), exchange.response());
  const std::string want = outcome(whole.error(), whole.complete(), whole.response());
  FUZZ_CHECK(got == want, got + " vs " + want);
  // The pump sends everything before the first response byte arrives.
  FUZZ_CHECK(harness.wire() == *bytes, "sent other bytes than the request");
  return 0;
}
