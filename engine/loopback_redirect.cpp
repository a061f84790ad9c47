// SPDX-License-Identifier: Apache-2.0
#include "engine/loopback_redirect.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mv {

namespace {
std::string page(const std::string& text) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>verify-roundtrip</title>"
         "</head><body><p>" +
         text + "</p></body></html>\n";
}
}  // namespace

LoopbackRedirect::~LoopbackRedirect() {
  stop();
}

bool LoopbackRedirect::start(Pump& pump, std::string path, Error& error) {
  path_ = std::move(path);
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 8) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    error = make_error(ErrorKind::oauth2_listen, Protocol::none,
                       std::string("cannot listen on 127.0.0.1 for the sign-in's redirect: ") +
                           std::strerror(errno));
    stop();
    return false;
  }
  port_ = ntohs(addr.sin_port);
  pump_ = &pump;
  pump.watch(listen_fd_, POLLIN, [this](short) { on_listener(); });
  return true;
}

void LoopbackRedirect::stop() {
  while (!peers_.empty())
    close_peer(peers_.back().fd);
  if (listen_fd_ >= 0) {
    if (pump_) pump_->unwatch(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void LoopbackRedirect::on_listener() {
  for (;;) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    // Bound to 127.0.0.1, so only this machine can connect; checked anyway.
    if (peer.sin_family != AF_INET || (ntohl(peer.sin_addr.s_addr) >> 24) != 127 ||
        peers_.size() >= limits_.max_redirect_connections) {
      ::close(fd);
      continue;
    }
    peers_.push_back({fd, {}});
    pump_->watch(fd, POLLIN, [this, fd](short) { on_peer(fd); });
  }
}

void LoopbackRedirect::close_peer(int fd) {
  if (pump_) pump_->unwatch(fd);
  ::close(fd);
  std::erase_if(peers_, [&](const Peer& p) { return p.fd == fd; });
}

void LoopbackRedirect::answer(int fd, int status, const std::string& text) {
  const std::string body = page(text);
  std::string out = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
                    "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                    std::to_string(body.size()) +
                    "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body;
  // A fresh socket takes a page this small at once; what it does not take is dropped.
  (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
}

void LoopbackRedirect::on_peer(int fd) {
  auto it = std::find_if(peers_.begin(), peers_.end(), [&](const Peer& p) { return p.fd == fd; });
  if (it == peers_.end()) return;
  char buf[kReadChunk];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (n <= 0) {
    close_peer(fd);
    return;
  }
  it->head.append(buf, static_cast<std::size_t>(n));
  if (it->head.size() > limits_.max_redirect_head) {
    close_peer(fd);
    return;
  }
  const std::size_t end = it->head.find("\r\n\r\n");
  if (end == std::string::npos) return;
  // GET <target> HTTP/1.x
  const std::string line = it->head.substr(0, it->head.find("\r\n"));
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = line.rfind(' ');
  std::string target =
      sp1 != std::string::npos && sp2 > sp1 ? line.substr(sp1 + 1, sp2 - sp1 - 1) : "";
  const std::size_t q = target.find('?');
  std::string path = target.substr(0, q);
  if (path.empty()) path = "/";  // "GET ?code=..." from a client that did not add the "/"
  if (line.rfind("GET ", 0) != 0 || path != path_) {
    answer(fd, 404, "Not the sign-in's redirect.");
    close_peer(fd);
    return;
  }
  std::optional<FormFields> fields = form_decode(
      q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1));
  if (!fields) fields = FormFields{};
  auto field = [&](const char* name) -> std::string {
    for (const auto& [k, v] : *fields)
      if (k == name) return v;
    return {};
  };
  std::string text = "Signed in: you can close this tab and return to the terminal.";
  if (!field("error").empty())
    text = "The sign-in was not completed: see the terminal.";
  else if (field("state") != state_ || field("code").empty())
    text = "This answer does not belong to the sign-in under way: see the terminal.";
  answer(fd, 200, text);
  result_ = std::move(fields);
  std::fill(target.begin(), target.end(), '\0');
  std::fill(it->head.begin(), it->head.end(), '\0');
  stop();  // exactly one request
}

}  // namespace mv
