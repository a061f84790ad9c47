#include "protocols/pop3/message_scan.hpp"

#include <algorithm>
#include <utility>

namespace mv {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

MessageScanner::MessageScanner(std::string wanted_token, bool digest_body)
    : wanted_(std::move(wanted_token)), digest_body_(digest_body) {}

void MessageScanner::update(std::string_view chunk) {
  result_.size += chunk.size();
  std::size_t i = 0;
  while (i < chunk.size() && !result_.header_ended) {
    const char c = chunk[i++];
    if (c == '\n') {
      end_line();
    } else if (line_.size() < kMaxScannedField) {
      line_ += c;
    } else {
      line_overlong_ = true;
    }
  }
  if (result_.header_ended && digest_body_ && i < chunk.size()) digest_.update(chunk.substr(i));
}

void MessageScanner::end_line() {
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.empty() && !line_overlong_) {
    end_field();
    result_.header_ended = true;
  } else if (line_.front() == ' ' || line_.front() == '\t') {
    // A folded continuation (RFC 5322 2.2.3): unfold by dropping the line end.
    if (field_.size() + line_.size() > kMaxScannedField || line_overlong_) {
      field_overlong_ = true;
    } else {
      field_ += line_;
    }
  } else {
    end_field();
    field_ = line_;
    field_overlong_ = line_overlong_;
  }
  line_.clear();
  line_overlong_ = false;
}

void MessageScanner::end_field() {
  const std::string field = std::exchange(field_, std::string{});
  const bool overlong = std::exchange(field_overlong_, false);
  if (field.empty() || overlong) return;
  const std::size_t colon = field.find(':');
  if (colon == std::string::npos) return;
  const std::string_view name = trim(std::string_view(field).substr(0, colon));
  const std::string_view value = trim(std::string_view(field).substr(colon + 1));
  if (iequals(name, kTokenHeader)) {
    if (!result_.token) result_.token = std::string(value);
    if (!wanted_.empty() && value == wanted_) result_.token_matched = true;
  } else if (iequals(name, "Message-ID") && result_.message_id.empty()) {
    result_.message_id = std::string(value);
  }
}

ScannedMessage MessageScanner::finish() {
  if (!result_.header_ended) {
    if (!line_.empty() || line_overlong_) end_line();
    end_field();
  }
  if (digest_body_) result_.body_digest = digest_.finish();
  return std::exchange(result_, ScannedMessage{});
}

}  // namespace mv
