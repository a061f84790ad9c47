// SPDX-License-Identifier: Apache-2.0
// One HTTP/1.1 request and its response as a Conversation, so the engine's Session drives it over
// TCP and the tls/ layer (implicit TLS for https) in the one poll loop, like a mail session: the
// request is queued at once, the response read until complete (Connection: close), then done.
// Every byte it sends is sensitive (token requests carry codes, refresh tokens, client secrets),
// so a wire trace redacts all of it. Errors are the reader's (http.*) or "http.truncated".
#pragma once

#include <deque>

#include "protocols/common/conversation.hpp"
#include "protocols/http/request.hpp"
#include "protocols/http/response.hpp"

namespace mv {

class HttpExchange : public Conversation {
 public:
  // request_bytes from write_request(). Its one event is "http.response" ("HTTP 200 OK"); a
  // session named "oauth2.token" reports it as "oauth2.token.response".
  explicit HttpExchange(std::string request_bytes, const Limits& limits = kDefaultLimits);
  ~HttpExchange() override;

  void on_bytes(std::string_view data) override;
  void on_eof() override;
  std::string_view output() override;
  void consume(std::size_t n) override;
  bool output_sensitive() const override { return true; }
  bool wants_tls() const override { return false; }
  void on_tls_ready() override {}
  std::optional<Event> next_event() override;
  bool done() const override { return reader_.complete(); }
  const Error& error() const override { return reader_.error(); }

  const HttpResponse& response() const { return reader_.response(); }
  HttpResponse& response() { return reader_.response(); }

 private:
  std::string out_;
  std::size_t sent_ = 0;
  HttpResponseReader reader_;
  bool reported_ = false;
};

}  // namespace mv
