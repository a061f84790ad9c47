// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/message_scanner.hpp"
#include "protocols/common/ascii.hpp"

#include <algorithm>
#include <utility>

namespace mv {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

MessageScanner::MessageScanner(MessageScanOptions options) : options_(std::move(options)) {}

void MessageScanner::update(std::string_view chunk) {
  result_.bytes += chunk.size();
  while (!chunk.empty() && !result_.header_ended) {
    const std::size_t nl = chunk.find('\n');
    const std::string_view part = chunk.substr(0, nl);
    // One spare byte keeps the CR of a line of exactly max_field bytes.
    const std::size_t room = options_.max_field + 1 - line_.size();
    if (part.size() > room) line_overlong_ = true;
    line_.append(part.substr(0, room));
    if (nl == std::string_view::npos) return;
    chunk.remove_prefix(nl + 1);
    end_line();
  }
  if (result_.header_ended && options_.digest_body && !chunk.empty()) digest_.update(chunk);
}

void MessageScanner::end_line() {
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.size() > options_.max_field) line_overlong_ = true;
  if (line_.empty() && !line_overlong_) {
    end_field();
    result_.header_ended = true;
  } else if (!line_.empty() && (line_.front() == ' ' || line_.front() == '\t')) {
    // A folded continuation: unfold by dropping the line end.
    if (line_overlong_ || field_overlong_ || field_.size() + line_.size() > options_.max_field) {
      field_overlong_ = true;
      field_.clear();
    } else {
      field_ += line_;
    }
  } else {
    end_field();
    field_overlong_ = line_overlong_;
    if (!field_overlong_) field_.swap(line_);
  }
  if (field_overlong_) result_.header_truncated = true;
  line_.clear();
  line_overlong_ = false;
}

void MessageScanner::end_field() {
  const std::string_view field(field_);
  const std::size_t colon = field.find(':');
  if (!field_overlong_ && colon != std::string_view::npos) {
    const std::string_view name = trim(field.substr(0, colon));
    const std::string_view value = trim(field.substr(colon + 1));
    if (iequals(name, kTokenHeader)) {
      if (!result_.token) result_.token = std::string(value);
      if (!options_.wanted_token.empty() && value == options_.wanted_token) {
        result_.token_matched = true;
      }
    } else if (iequals(name, "Message-ID") && result_.message_id.empty()) {
      result_.message_id = std::string(value);
    }
  }
  field_.clear();
  field_overlong_ = false;
}

ScannedMessage MessageScanner::finish() {
  if (!result_.header_ended) {
    // A last header line without line end still counts; a lone CR there is no empty line.
    if (line_ == "\r") line_.clear();
    if (!line_.empty() || line_overlong_) end_line();
    end_field();
  }
  if (options_.digest_body) result_.body_digest = digest_.finish();
  line_.clear();
  line_overlong_ = false;
  return std::exchange(result_, ScannedMessage{});
}

}  // namespace mv
