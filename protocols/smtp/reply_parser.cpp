// SPDX-License-Identifier: Apache-2.0
#include "protocols/smtp/reply_parser.hpp"

#include <utility>

namespace mv {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39.
int parse_code(std::string_view line) {
  if (line.size() < 3) return -1;
  const char a = line[0], b = line[1], c = line[2];
  if (a < '2' || a > '5' || b < '0' || b > '5' || !is_digit(c)) return -1;
  return (a - '0') * 100 + (b - '0') * 10 + (c - '0');
}

// RFC 3463: class "." subject "." detail, subject and detail 1 to 3 digits, then a space or the
// end. Only taken when its class is the reply's: "250 5.0.0" is text, not a status.
std::optional<std::string> parse_enhanced(std::string_view text, int code) {
  if (text.size() < 5 || text[0] != static_cast<char>('0' + code / 100) || text[1] != '.') {
    return std::nullopt;
  }
  std::size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    const std::size_t start = i;
    while (i < text.size() && is_digit(text[i]) && i - start < 4)
      ++i;
    if (i == start || i - start > 3) return std::nullopt;
    if (part == 0) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i < text.size() && text[i] != ' ') return std::nullopt;
  return std::string(text.substr(0, i));
}

}  // namespace

std::string SmtpReply::text() const {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += ' ';
    out += line;
  }
  return out;
}

std::string SmtpReply::summary() const {
  std::string out = std::to_string(code);
  const std::string words = text();
  if (!words.empty()) {
    out += ' ';
    out += words;
  }
  return out;
}

SmtpReplyParser::SmtpReplyParser(const Limits& limits)
    : limits_(limits), reader_(limits.max_line) {}

std::size_t SmtpReplyParser::feed(std::string_view data) {
  if (error_) return data.size();
  return reader_.feed(data);
}

SmtpReplyParser::Status SmtpReplyParser::fail(ErrorKind kind, std::string detail,
                                              std::string_view line) {
  error_ = make_error(kind, Protocol::smtp, std::move(detail), line);
  partial_ = SmtpReply{};
  pending_bytes_ = 0;
  reader_.clear();
  return Status::error;
}

SmtpReplyParser::Status SmtpReplyParser::next(SmtpReply& reply) {
  if (error_) return Status::error;
  for (;;) {
    std::string_view line;
    const LineReader::Status st = reader_.next(line);
    if (st == LineReader::Status::need_more) return Status::need_more;
    if (st == LineReader::Status::too_long) {
      return fail(ErrorKind::line_too_long,
                  "a reply line is longer than " + std::to_string(limits_.max_line) + " bytes", {});
    }
    const int code = parse_code(line);
    const bool shape_ok = code >= 0 && (line.size() == 3 || line[3] == '-' || line[3] == ' ');
    if (!shape_ok) {
      return fail(ErrorKind::malformed_reply, "a reply line does not start with a code", line);
    }
    if (!partial_.lines.empty() && code != partial_.code) {
      return fail(ErrorKind::malformed_reply,
                  "the reply code changed inside a multi-line reply (" +
                      std::to_string(partial_.code) + " then " + std::to_string(code) + ")",
                  line);
    }
    // Count the line end too: what the server made us hold, not just the text.
    pending_bytes_ += line.size() + 2;
    if (partial_.lines.size() + 1 > limits_.max_reply_lines) {
      return fail(ErrorKind::reply_too_large,
                  "a reply has more than " + std::to_string(limits_.max_reply_lines) + " lines",
                  {});
    }
    if (pending_bytes_ > limits_.max_reply_bytes) {
      return fail(ErrorKind::reply_too_large,
                  "a reply is larger than " + std::to_string(limits_.max_reply_bytes) + " bytes",
                  {});
    }
    const std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
    if (partial_.lines.empty()) {
      partial_.code = code;
      partial_.enhanced = parse_enhanced(text, code);
    }
    partial_.lines.emplace_back(text);
    if (line.size() == 3 || line[3] == ' ') {
      reply = std::move(partial_);
      partial_ = SmtpReply{};
      pending_bytes_ = 0;
      return Status::reply;
    }
  }
}

void SmtpReplyParser::clear() {
  reader_.clear();
  partial_ = SmtpReply{};
  pending_bytes_ = 0;
  error_ = Error{};
}

}  // namespace mv
