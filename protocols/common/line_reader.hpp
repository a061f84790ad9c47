// SPDX-License-Identifier: Apache-2.0
// A bounded line reader: the caller feeds received bytes, then takes complete lines (CRLF or a bare
// LF ends a line; the line end is not part of the line) or raw byte runs (IMAP literals). It
// remembers how far it has scanned, so feeding a long line byte by byte stays linear. A line longer
// than the bound (line end included) is a sticky error, never growth: the buffer never exceeds
// max_line bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/limits.hpp"

namespace mv {

class LineReader {
 public:
  enum class Status { line, need_more, too_long };

  explicit LineReader(std::size_t max_line = kDefaultLimits.max_line);

  // Takes as many bytes as fit in the buffer and returns how many it took. The caller keeps the
  // rest and feeds it again after taking lines out (next() frees room). After too_long the reader
  // is dead: it swallows (takes and drops) everything, so a caller loop cannot spin.
  std::size_t feed(std::string_view data);

  // The next complete line, without its line end. The view stays valid until the next non-const
  // call. too_long is sticky: once returned, every later call returns it again.
  Status next(std::string_view& line);

  // Up to max raw bytes from the buffer, not split at line ends (for IMAP literals). The view stays
  // valid until the next non-const call. Empty after too_long.
  std::string_view take_raw(std::size_t max);

  // Bytes received but not yet returned as a line or raw run (e.g. data after a STARTTLS reply).
  std::size_t buffered() const { return buf_.size() - start_; }

  bool failed() const { return too_long_; }

  // Forget everything buffered (after a TLS switch) and any error.
  void clear();

 private:
  void compact();

  std::size_t max_line_;
  std::string buf_;
  std::size_t start_ = 0;    // first byte not yet returned
  std::size_t scanned_ = 0;  // bytes after start_ already known to hold no LF
  bool too_long_ = false;
};

}  // namespace mv
