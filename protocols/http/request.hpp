// SPDX-License-Identifier: Apache-2.0
// HTTP/1.1 request writer: one request per connection ("Connection: close"), the exact bytes to
// send. Host comes from the URL; a body is sent with its Content-Length. Field names and values
// with CR, LF or NUL are refused (header injection), as is a target that is not origin-form.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/http/response.hpp"
#include "protocols/http/url.hpp"

namespace mv {

struct HttpRequest {
  std::string method = "GET";
  Url url;
  std::vector<HttpHeader> headers;  // besides Host, Connection, Content-Length and User-Agent
  std::string body;                 // sent when non-empty or the method is POST
};

// nullopt when a field would break the framing.
std::optional<std::string> write_request(const HttpRequest& request, std::string_view user_agent);

}  // namespace mv
