// SPDX-License-Identifier: Apache-2.0
// SMTP reply framing (RFC 5321 4.2): bytes in, whole replies out. A reply is one line "NNN text"
// or several "NNN-text" lines closed by "NNN text", all with the same code; "NNN" alone is a
// whole line too. The enhanced status code (RFC 3463, "x.y.z" at the start of the text) is taken
// when its class matches the reply's. Bounded: a line over limits.max_line, more than
// limits.max_reply_lines lines or limits.max_reply_bytes bytes in one reply is an error, never
// growth. Errors are sticky. Sans-I/O: the caller feeds what it received, in any split.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "protocols/common/line_reader.hpp"

namespace mv {

struct SmtpReply {
  int code = 0;                         // 200..559
  std::optional<std::string> enhanced;  // "5.7.139", from the first line, when present
  std::vector<std::string> lines;       // each line's text after "NNN-" / "NNN ", as received

  // Lines joined by a space: the server's words in one line.
  std::string text() const;
  // "535 5.7.8 text...": code and words, for errors and reports (not yet sanitised).
  std::string summary() const;
  int klass() const { return code / 100; }  // 2, 3, 4 or 5
};

class SmtpReplyParser {
 public:
  enum class Status { reply, need_more, error };

  explicit SmtpReplyParser(const Limits& limits = kDefaultLimits);

  // Takes as many bytes as fit (at most one line's worth beyond what next() has drained) and
  // returns how many; the caller feeds the rest after calling next(). After an error it takes
  // (and drops) everything, so a caller loop cannot spin.
  std::size_t feed(std::string_view data);

  // The next complete reply (reply is overwritten), need_more, or the sticky error.
  Status next(SmtpReply& reply);

  const Error& error() const { return error_; }
  // Bytes received but not yet part of a returned reply: after a STARTTLS 220 any is an attack.
  std::size_t buffered() const { return reader_.buffered() + pending_bytes_; }
  // Forget everything buffered and any error (after the TLS switch).
  void clear();

 private:
  Status fail(ErrorKind kind, std::string detail, std::string_view line);

  Limits limits_;
  LineReader reader_;
  SmtpReply partial_;              // lines of a multi-line reply seen so far
  std::size_t pending_bytes_ = 0;  // bytes (line ends counted) held in partial_
  Error error_;
};

}  // namespace mv
