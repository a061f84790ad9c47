// SPDX-License-Identifier: Apache-2.0
#include "protocols/http/request.hpp"

namespace mv {

namespace {
bool clean(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}
}  // namespace

std::optional<std::string> write_request(const HttpRequest& request, std::string_view user_agent) {
  const Url& url = request.url;
  if (!clean(request.method) || request.method.find(' ') != std::string::npos ||
      request.method.empty() || url.target.empty() || url.target.front() != '/' ||
      !clean(url.target) || url.target.find(' ') != std::string::npos || !clean(url.host) ||
      !clean(user_agent))
    return std::nullopt;
  std::string out = request.method + " " + url.target + " HTTP/1.1\r\n";
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != (url.https ? 443u : 80u)) host += ":" + std::to_string(url.port);
  out += "Host: " + host + "\r\n";
  out += "User-Agent: ";
  out += user_agent;
  out += "\r\n";
  for (const HttpHeader& h : request.headers) {
    if (h.name.empty() || !clean(h.name) || h.name.find(':') != std::string::npos ||
        !clean(h.value))
      return std::nullopt;
    out += h.name + ": " + h.value + "\r\n";
  }
  if (!request.body.empty() || request.method == "POST")
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += request.body;
  return out;
}

}  // namespace mv
