// SPDX-License-Identifier: Apache-2.0
// HTTP/1.1 response reader (RFC 9112), sans-I/O: the caller feeds the bytes it received and asks
// whether the response is complete. Bounded everywhere by Limits (max_http_line, max_http_headers,
// max_http_header_bytes, max_http_body): the status line, each header line, the number and total
// size of the headers, each chunk-size line and the body (buffered whole: the callers are token
// and discovery endpoints whose answers are small JSON and XML documents). Bodies framed
// by Content-Length, by chunked transfer coding (extensions and trailers skipped), or by the end of
// the connection; 1xx interim responses are skipped. Anything ambiguous is refused rather than
// guessed at: Content-Length together with Transfer-Encoding, two different lengths, a coding other
// than chunked, obsolete line folding, a NUL byte. Errors stick and carry a stable code
// ("http.status_line", "http.header", "http.too_large", "http.length", "http.chunk",
// "http.truncated", "http.not_http"), protocol category. No sockets, no clock.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace mv {

struct HttpHeader {
  std::string name;   // as received; compare with iequals
  std::string value;  // leading and trailing white space removed
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::vector<HttpHeader> headers;
  std::string body;

  // The first field with this name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
};

class HttpResponseReader {
 public:
  explicit HttpResponseReader(const Limits& limits = kDefaultLimits) : limits_(limits) {}

  // Takes the bytes it can use and returns how many; fewer than given only once the response is
  // complete (bytes after it are not ours: the caller decides) or after an error (then all).
  std::size_t feed(std::string_view data);
  // The connection ended: completes a body framed by the close, else fails as truncated.
  void on_eof();

  bool complete() const { return state_ == State::done; }
  const Error& error() const { return error_; }
  const HttpResponse& response() const { return response_; }
  HttpResponse& response() { return response_; }

 private:
  enum class State {
    status_line,
    headers,
    body_length,
    body_until_close,
    chunk_size,
    chunk_data,
    chunk_data_end,
    trailers,
    done,
    failed
  };
  // Appends to line_ up to and including LF; true once a whole line is there (CR LF stripped).
  bool take_line(std::string_view& data);
  void on_status_line();
  void on_header_line();
  void start_body();
  void on_chunk_size_line();
  void on_trailer_line();
  void take_body(std::string_view& data, std::size_t limit);
  void fail(ErrorKind kind, std::string detail, std::string_view server_says = {});

  Limits limits_;
  State state_ = State::status_line;
  HttpResponse response_;
  Error error_;
  std::string line_;
  std::size_t header_bytes_ = 0;
  std::size_t header_count_ = 0;
  std::size_t remaining_ = 0;  // body_length / chunk_data: bytes still to come
  bool saw_first_byte_ = false;
};

}  // namespace mv
