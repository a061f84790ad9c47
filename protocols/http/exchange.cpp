// SPDX-License-Identifier: Apache-2.0
#include "protocols/http/exchange.hpp"

#include "protocols/common/wipe.hpp"

namespace mv {

HttpExchange::HttpExchange(std::string request_bytes, const Limits& limits)
    : out_(std::move(request_bytes)), reader_(limits) {}

HttpExchange::~HttpExchange() {
  wipe(out_);
  wipe(reader_.response().body);
}

void HttpExchange::on_bytes(std::string_view data) {
  // Bytes after a complete response are not ours (Connection: close): ignored.
  reader_.feed(data);
}

void HttpExchange::on_eof() {
  reader_.on_eof();
}

std::string_view HttpExchange::output() {
  if (reader_.error() || reader_.complete()) return {};
  return std::string_view(out_).substr(sent_);
}

void HttpExchange::consume(std::size_t n) {
  sent_ += n;
}

std::optional<Event> HttpExchange::next_event() {
  if (reported_ || !reader_.complete()) return std::nullopt;
  reported_ = true;
  const HttpResponse& r = reader_.response();
  return Event{"http.response",
               "HTTP " + std::to_string(r.status) + (r.reason.empty() ? "" : " " + r.reason)};
}

}  // namespace mv
