// SPDX-License-Identifier: Apache-2.0
#include "protocols/imap/framer.hpp"

#include <algorithm>

#include "protocols/common/digits.hpp"

namespace mv {

std::optional<std::uint64_t> imap_trailing_literal(std::string_view s, std::uint64_t max_literal,
                                                   bool& bad) {
  bad = false;
  if (s.empty() || s.back() != '}') return std::nullopt;
  // A marker is only a marker outside quotes: walk the segment tracking quoted strings.
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\' && i + 1 < s.size()) {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    }
  }
  if (quoted) return std::nullopt;
  std::size_t end = s.size() - 1;  // index of '}'
  if (end > 0 && (s[end - 1] == '+' || s[end - 1] == '-')) --end;
  std::size_t begin = end;
  while (begin > 0 && s[begin - 1] >= '0' && s[begin - 1] <= '9')
    --begin;
  if (begin == end || begin == 0 || s[begin - 1] != '{') return std::nullopt;
  // Too many digits, or more than the literal bound: the framer refuses it.
  const std::optional<std::uint64_t> n =
      parse_digits<std::uint64_t>(s.substr(begin, end - begin), max_literal);
  if (!n) {
    bad = true;
    return 0;
  }
  return *n;
}

ImapFramer::ImapFramer(const Limits& limits) : limits_(limits) {}

ImapFramer::Piece ImapFramer::fail(ErrorKind kind, std::string detail) {
  if (!error_) error_ = make_error(kind, Protocol::imap, std::move(detail));
  buf_.clear();
  start_ = scanned_ = 0;
  Piece p;
  p.kind = Kind::error;
  return p;
}

void ImapFramer::compact() {
  if (start_ == 0) return;
  buf_.erase(0, start_);
  start_ = 0;
}

std::size_t ImapFramer::feed(std::string_view data) {
  if (error_) return data.size();
  if (buffered() == 0) {
    buf_.clear();
    start_ = 0;
  } else if (buf_.size() + std::min(data.size(), limits_.max_line) > limits_.max_line) {
    compact();
  }
  std::size_t room = buf_.size() < limits_.max_line ? limits_.max_line - buf_.size() : 0;
  std::size_t n = std::min(room, data.size());
  buf_.append(data.data(), n);
  return n;
}

ImapFramer::Piece ImapFramer::next() {
  Piece p;
  if (error_) {
    p.kind = Kind::error;
    return p;
  }
  if (in_literal_) {
    std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(buffered())));
    if (n == 0 && remaining_ > 0) return p;  // need_more
    p.kind = Kind::literal;
    p.data = std::string_view(buf_).substr(start_, n);
    start_ += n;
    remaining_ -= n;
    p.last = remaining_ == 0;
    if (p.last) {
      in_literal_ = false;
      continuing_ = true;
    }
    return p;
  }
  std::string_view rest = std::string_view(buf_).substr(start_);
  std::size_t lf = rest.find('\n', scanned_);
  if (lf == std::string_view::npos) {
    scanned_ = rest.size();
    if (rest.size() >= limits_.max_line) {
      return fail(ErrorKind::line_too_long, "a response line exceeds the line limit");
    }
    return p;  // need_more
  }
  if (lf + 1 > limits_.max_line) {
    return fail(ErrorKind::line_too_long, "a response line exceeds the line limit");
  }
  std::string_view line = rest.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  start_ += lf + 1;
  scanned_ = 0;
  bool bad = false;
  auto literal = imap_trailing_literal(line, limits_.max_literal, bad);
  if (bad)
    return fail(ErrorKind::literal_too_large, "a literal's announced size exceeds the limit");
  p.kind = Kind::segment;
  p.data = line;
  p.literal = literal;
  if (literal) {
    in_literal_ = true;
    remaining_ = *literal;
  } else {
    continuing_ = false;
  }
  return p;
}

void ImapFramer::reset() {
  buf_.clear();
  start_ = scanned_ = 0;
  in_literal_ = continuing_ = false;
  remaining_ = 0;
}

}  // namespace mv
