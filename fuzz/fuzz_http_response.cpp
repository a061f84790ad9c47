// SPDX-License-Identifier: Apache-2.0
// HttpResponseReader: the first bytes choose small limits and the chunking; the rest is a server's
// stream. Asserts: whole and chunked input give the same status, headers, body and error; feed()
// never takes more than given, takes everything after an error (errors stick), and stops taking at
// a complete response; the body and header counts stay within their limits; every error code is
// one of the documented "http." codes.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/http/response.hpp"

namespace {

struct Run {
  std::string result;
};

Run read(const std::vector<std::string_view>& chunks, const mv::Limits& limits, bool eof) {
  mv::HttpResponseReader reader(limits);
  for (std::string_view chunk : chunks) {
    const bool failed_before = static_cast<bool>(reader.error());
    const bool complete_before = reader.complete();
    const std::size_t n = reader.feed(chunk);
    FUZZ_CHECK(n <= chunk.size(), "feed took more than given");
    FUZZ_CHECK(!failed_before || n == chunk.size(), "feed after an error did not swallow");
    FUZZ_CHECK(!complete_before || n == 0, "feed took bytes after a complete response");
    if (reader.complete()) break;  // the rest is not the response's
  }
  if (eof) reader.on_eof();
  Run run;
  if (reader.error()) {
    const std::string& code = reader.error().code;
    FUZZ_CHECK(code == "http.status_line" || code == "http.header" || code == "http.too_large" ||
                   code == "http.length" || code == "http.chunk" || code == "http.truncated" ||
                   code == "http.not_http",
               code);
    run.result = "ERR " + code + "|" + reader.error().detail;
    return run;
  }
  if (!reader.complete()) {
    run.result = "INCOMPLETE";
    return run;
  }
  const mv::HttpResponse& r = reader.response();
  FUZZ_CHECK(r.body.size() <= limits.max_http_body, "body above its bound");
  FUZZ_CHECK(r.headers.size() <= limits.max_http_headers, "more headers than the bound");
  FUZZ_CHECK(r.status >= 100 && r.status <= 999, "status out of range");
  run.result = std::to_string(r.status) + "|" + r.reason + "|" + r.body;
  for (const mv::HttpHeader& h : r.headers)
    run.result += "|" + h.name + ":" + h.value;
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte();
  const std::uint8_t seed = in.byte();
  mv::Limits limits;
  if (mode & 1u) {
    limits.max_http_line = 32;
    limits.max_http_headers = 3;
    limits.max_http_header_bytes = 96;
    limits.max_http_body = 16;
  }
  const bool eof = (mode & 2u) != 0;
  const std::string_view stream = in.rest();
  const Run whole = read({stream}, limits, eof);
  const Run chunked = read(mv::fuzz::split(stream, seed), limits, eof);
  FUZZ_CHECK(whole.result == chunked.result, whole.result + " vs " + chunked.result);
  return 0;
}
