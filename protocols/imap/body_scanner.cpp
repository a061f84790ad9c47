#include "protocols/imap/body_scanner.hpp"

#include <cctype>

namespace mv {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

void ImapBodyScanner::update(std::string_view chunk) {
  result_.bytes += chunk.size();
  if (in_body_) {
    digest_.update(chunk);
    return;
  }
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    char c = chunk[i];
    if (c == '\n') {
      end_line();
      if (in_body_) {
        digest_.update(chunk.substr(i + 1));
        return;
      }
    } else if (line_.size() < max_field_ + 1) {
      line_ += c;  // one spare byte keeps a trailing CR visible
    } else {
      result_.header_truncated = true;
    }
  }
}

void ImapBodyScanner::end_line() {
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.empty()) {
    end_field();
    in_body_ = true;
    result_.has_body_separator = true;
    return;
  }
  if (line_.front() == ' ' || line_.front() == '\t') {
    std::size_t room = field_.size() < max_field_ ? max_field_ - field_.size() : 0;
    if (line_.size() > room) result_.header_truncated = true;
    field_.append(line_, 0, room);
  } else {
    end_field();
    field_.assign(line_, 0, max_field_);
  }
  line_.clear();
}

void ImapBodyScanner::end_field() {
  std::string_view f(field_);
  std::size_t colon = f.find(':');
  if (colon != std::string_view::npos) {
    std::string_view name = trim(f.substr(0, colon));
    std::string_view value = trim(f.substr(colon + 1));
    if (iequals(name, kTokenHeader) && !result_.token) result_.token = std::string(value);
    if (iequals(name, "Message-ID") && result_.message_id.empty()) {
      result_.message_id = std::string(value);
    }
  }
  field_.clear();
}

ImapScannedBody ImapBodyScanner::finish() {
  if (!in_body_) {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (!line_.empty()) {
      // A header line without a line end at the very end of the message.
      std::uint64_t bytes = result_.bytes;
      end_line();
      result_.bytes = bytes;
    }
    end_field();
  }
  result_.body_digest = digest_.finish();
  ImapScannedBody out = std::move(result_);
  reset();
  return out;
}

void ImapBodyScanner::reset() {
  result_ = ImapScannedBody{};
  digest_ = BodyDigest{};
  line_.clear();
  field_.clear();
  in_body_ = false;
}

}  // namespace mv
