// SPDX-License-Identifier: Apache-2.0
#include "protocols/http/response.hpp"

#include <algorithm>

#include "protocols/common/ascii.hpp"
#include "protocols/common/digits.hpp"

namespace mv {

namespace {

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A decimal length (no sign, no spaces inside).
bool parse_length(std::string_view s, std::size_t& out) {
  const std::optional<std::size_t> n = parse_digits<std::size_t>(s);
  if (n) out = *n;
  return n.has_value();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const std::string* HttpResponse::header(std::string_view name) const {
  for (const HttpHeader& h : headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

void HttpResponseReader::fail(ErrorKind kind, std::string detail, std::string_view server_says) {
  if (state_ == State::failed) return;
  error_ = make_error(kind, Protocol::none, std::move(detail), server_says);
  state_ = State::failed;
  line_.clear();
}

bool HttpResponseReader::take_line(std::string_view& data) {
  const std::size_t lf = data.find('\n');
  const std::size_t take = lf == std::string_view::npos ? data.size() : lf + 1;
  if (line_.size() + take > limits_.max_http_line) {
    fail(ErrorKind::http_too_large,
         "a line of the HTTP response is longer than " + std::to_string(limits_.max_http_line) +
             " bytes",
         std::string_view(line_).substr(0, 80));
    data = {};
    return false;
  }
  line_.append(data.substr(0, take));
  data.remove_prefix(take);
  if (lf == std::string_view::npos) return false;
  line_.pop_back();  // LF; a lone LF ends a line too (RFC 9112 section 2.2 allows it)
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.find('\0') != std::string::npos || line_.find('\r') != std::string::npos) {
    fail(ErrorKind::http_header, "the HTTP response has a NUL or a bare CR in a line", line_);
    return false;
  }
  return true;
}

std::size_t HttpResponseReader::feed(std::string_view data) {
  const std::size_t given = data.size();
  if (!saw_first_byte_ && !data.empty()) {
    saw_first_byte_ = true;
    // A TLS record (0x15 alert, 0x16 handshake) or a mail server's greeting is no HTTP at all.
    if (data.front() != 'H')
      fail(ErrorKind::http_not_http, "the server's answer is not HTTP", data.substr(0, 80));
  }
  while (!data.empty()) {
    switch (state_) {
      case State::done:
        return given - data.size();
      case State::failed:
        return given;
      case State::status_line:
        if (take_line(data)) on_status_line();
        break;
      case State::headers:
        if (take_line(data)) on_header_line();
        break;
      case State::trailers:
        if (take_line(data)) on_trailer_line();
        break;
      case State::chunk_size:
        if (take_line(data)) on_chunk_size_line();
        break;
      case State::chunk_data_end:
        if (take_line(data)) {
          if (!line_.empty())
            fail(ErrorKind::http_chunk,
                 "a chunk of the HTTP body is longer than its size line said");
          else
            state_ = State::chunk_size;
          line_.clear();
        }
        break;
      case State::body_length:
        take_body(data, remaining_);
        if (state_ == State::body_length && remaining_ == 0) state_ = State::done;
        break;
      case State::chunk_data:
        take_body(data, remaining_);
        if (state_ == State::chunk_data && remaining_ == 0) state_ = State::chunk_data_end;
        break;
      case State::body_until_close:
        take_body(data, data.size());
        break;
    }
  }
  return state_ == State::failed ? given : given - data.size();
}

void HttpResponseReader::take_body(std::string_view& data, std::size_t limit) {
  const std::size_t n = std::min(limit, data.size());
  if (response_.body.size() + n > limits_.max_http_body) {
    fail(ErrorKind::http_too_large,
         "the HTTP body is larger than " + std::to_string(limits_.max_http_body) + " bytes");
    data = {};
    return;
  }
  response_.body.append(data.substr(0, n));
  data.remove_prefix(n);
  if (state_ != State::body_until_close) remaining_ -= n;
}

void HttpResponseReader::on_status_line() {
  const std::string_view line = line_;
  // HTTP-version SP 3DIGIT [SP reason-phrase]
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ' ||
      !std::all_of(line.begin() + 9, line.begin() + 12,
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      (line.size() > 12 && line[12] != ' ')) {
    fail(ErrorKind::http_status_line, "the HTTP status line is malformed", line);
    return;
  }
  response_.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (response_.status < 100) {
    fail(ErrorKind::http_status_line, "the HTTP status code is out of range", line);
    return;
  }
  response_.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
  response_.headers.clear();
  line_.clear();
  state_ = State::headers;
}

void HttpResponseReader::on_header_line() {
  header_bytes_ += line_.size() + 2;
  if (header_bytes_ > limits_.max_http_header_bytes) {
    fail(ErrorKind::http_too_large, "the HTTP headers are larger than " +
                                        std::to_string(limits_.max_http_header_bytes) + " bytes");
    return;
  }
  if (line_.empty()) {
    line_.clear();
    start_body();
    return;
  }
  if (line_.front() == ' ' || line_.front() == '\t') {
    fail(ErrorKind::http_header, "the HTTP response folds a header over lines (obsolete, refused)",
         line_);
    return;
  }
  const std::size_t colon = line_.find(':');
  if (colon == std::string::npos || colon == 0 ||
      !std::all_of(line_.begin(), line_.begin() + static_cast<std::ptrdiff_t>(colon),
                   is_token_char)) {
    fail(ErrorKind::http_header, "an HTTP header line is malformed", line_);
    return;
  }
  if (++header_count_ > limits_.max_http_headers) {
    fail(ErrorKind::http_too_large, "the HTTP response has more than " +
                                        std::to_string(limits_.max_http_headers) + " headers");
    return;
  }
  response_.headers.push_back(
      {line_.substr(0, colon), std::string(trim_ows(std::string_view(line_).substr(colon + 1)))});
  line_.clear();
}

void HttpResponseReader::start_body() {
  const int status = response_.status;
  if (status >= 100 &&
      status < 200) {  // interim (100 Continue, 103 Early Hints): the real one follows
    state_ = State::status_line;
    response_.headers.clear();
    header_count_ = 0;
    header_bytes_ = 0;
    return;
  }
  const std::string* te = nullptr;
  bool have_length = false;
  std::size_t length = 0;
  for (const HttpHeader& h : response_.headers) {
    if (iequals(h.name, "Transfer-Encoding")) {
      if (te || !iequals(h.value, "chunked")) {
        fail(ErrorKind::http_length, "the HTTP response uses a transfer coding other than chunked",
             h.value);
        return;
      }
      te = &h.value;
    } else if (iequals(h.name, "Content-Length")) {
      std::size_t v = 0;
      if (!parse_length(h.value, v) || (have_length && v != length)) {
        fail(ErrorKind::http_length,
             "the HTTP response's Content-Length is invalid or repeated differently", h.value);
        return;
      }
      have_length = true;
      length = v;
    }
  }
  if (status == 204 || status == 304) {
    state_ = State::done;
    return;
  }
  if (te && have_length) {
    fail(ErrorKind::http_length, "the HTTP response has both Content-Length and Transfer-Encoding");
    return;
  }
  if (te) {
    state_ = State::chunk_size;
  } else if (have_length) {
    if (length > limits_.max_http_body) {
      fail(ErrorKind::http_too_large, "the HTTP body announced (" + std::to_string(length) +
                                          " bytes) is larger than " +
                                          std::to_string(limits_.max_http_body));
      return;
    }
    remaining_ = length;
    state_ = length == 0 ? State::done : State::body_length;
  } else {
    state_ = State::body_until_close;
  }
}

void HttpResponseReader::on_chunk_size_line() {
  std::string_view line = line_;
  const std::size_t semi = line.find(';');
  std::string_view size = trim_ows(line.substr(0, semi));
  if (size.empty() || size.size() > 15) {
    fail(ErrorKind::http_chunk, "an HTTP chunk-size line is malformed", line);
    return;
  }
  std::size_t v = 0;
  for (char c : size) {
    const int h = hex_value(c);
    if (h < 0) {
      fail(ErrorKind::http_chunk, "an HTTP chunk-size line is malformed", line);
      return;
    }
    v = v * 16 + static_cast<std::size_t>(h);
  }
  line_.clear();
  if (v == 0) {
    state_ = State::trailers;
    return;
  }
  if (response_.body.size() + v > limits_.max_http_body) {
    fail(ErrorKind::http_too_large,
         "the HTTP body is larger than " + std::to_string(limits_.max_http_body) + " bytes");
    return;
  }
  remaining_ = v;
  state_ = State::chunk_data;
}

void HttpResponseReader::on_trailer_line() {
  header_bytes_ += line_.size() + 2;
  if (header_bytes_ > limits_.max_http_header_bytes ||
      ++header_count_ > limits_.max_http_headers + 1) {
    fail(ErrorKind::http_too_large, "the HTTP trailers are too large");
    return;
  }
  if (line_.empty()) state_ = State::done;  // trailers themselves are not used
  line_.clear();
}

void HttpResponseReader::on_eof() {
  switch (state_) {
    case State::body_until_close:
      state_ = State::done;
      return;
    case State::done:
    case State::failed:
      return;
    case State::status_line:
      if (line_.empty() && !saw_first_byte_) {
        fail(ErrorKind::http_truncated,
             "the server closed the connection without an HTTP response");
        return;
      }
      [[fallthrough]];
    default:
      fail(ErrorKind::http_truncated,
           "the server closed the connection in the middle of its HTTP response");
  }
}

}  // namespace mv
