// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/command_channel.hpp"

#include <algorithm>

#include "protocols/common/wipe.hpp"

namespace mv {

void CommandChannel::write(std::string_view bytes) {
  out_.append(bytes);
  queued_total_ += bytes.size();
}

void CommandChannel::expect_reply() {
  due_.push_back(queued_total_);
}

void CommandChannel::command(std::string_view line) {
  write(line);
  write("\r\n");
  expect_reply();
}

void CommandChannel::secret_command(std::string& line) {
  secret_ = true;
  command(line);
  wipe(line);
}

void CommandChannel::framed_command(std::string_view bytes, bool secret) {
  secret_ = secret_ || secret;
  write(bytes);
  expect_reply();
}

void CommandChannel::continue_command(std::string_view bytes, bool secret) {
  secret_ = secret_ || secret;
  write(bytes);
  if (due_.empty()) {
    expect_reply();
  } else {
    due_.back() = queued_total_;
  }
}

void CommandChannel::continue_secret(std::string& bytes) {
  continue_command(bytes, true);
  wipe(bytes);
}

std::string_view CommandChannel::pending() const {
  if (error_) return {};
  return std::string_view(out_).substr(out_pos_);
}

void CommandChannel::consume(std::size_t n) {
  n = std::min(n, out_.size() - out_pos_);
  out_pos_ += n;
  consumed_total_ += n;
  if (out_pos_ == out_.size()) drop_output();
}

void CommandChannel::drop_output() {
  if (secret_) {
    wipe(out_);
  } else {
    out_.clear();
  }
  secret_ = false;
  out_pos_ = 0;
}

CommandChannel::Turn CommandChannel::peek_reply() const {
  if (due_.empty()) return Turn::none_due;
  if (consumed_total_ < due_.front()) return Turn::early;
  return Turn::ok;
}

CommandChannel::Turn CommandChannel::take_reply() {
  const Turn t = peek_reply();
  if (t == Turn::ok) due_.pop_front();
  return t;
}

std::string_view CommandChannel::turn_problem(Turn t) {
  switch (t) {
    case Turn::none_due:
      return "the server sent a reply when none was awaited";
    case Turn::early:
      return "the server replied before the command was sent";
    case Turn::ok:
      break;
  }
  return {};
}

std::optional<std::string> CommandChannel::tls_boundary_breach(std::string_view verb,
                                                               std::size_t buffered,
                                                               std::string_view unread) {
  if (buffered == 0 && unread.empty()) return std::nullopt;
  return "plaintext bytes followed the server's " + std::string(verb) +
         " reply, before the TLS handshake (command injection); refusing to continue";
}

bool CommandChannel::fail(Error e) {
  if (error_) return false;
  error_ = std::move(e);
  drop_output();
  due_.clear();
  return true;
}

}  // namespace mv
