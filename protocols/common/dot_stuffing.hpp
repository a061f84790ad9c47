// SPDX-License-Identifier: Apache-2.0
// Streaming dot-stuffing for SMTP DATA (RFC 5321 4.5.2) and un-stuffing for POP3 multi-line
// responses (RFC 1939 3). Both keep only a few bytes of state, so any chunk split gives the same
// output and memory does not grow with the message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mv {

// Message text in, SMTP DATA bytes out: line ends become CRLF (a bare CR or LF is made CRLF), a
// line starting with '.' gets another '.', and finish() ends the data with CRLF "." CRLF (adding
// the CRLF of a last line that lacks one). An empty message gives just "." CRLF.
class DotStuffer {
 public:
  void encode(std::string_view in, std::string& out);
  void finish(std::string& out);
  void reset() { *this = DotStuffer{}; }

 private:
  bool at_line_start_ = true;
  bool pending_cr_ = false;  // a CR was seen; its CRLF is written, a following LF is dropped
};

// POP3 multi-line payload in, message text out: removes the stuffed leading dot and stops at the
// CRLF "." CRLF terminator, which it does not copy. Line ends are kept as received. The payload
// starts right after the status line, i.e. at a line start. A "." line ended by a bare LF is taken
// as the terminator too (lenient servers).
class DotUnstuffer {
 public:
  // Appends payload to out; returns bytes consumed from in (less than in.size() only once the
  // terminator was consumed: the rest belongs to the next response). 0 once finished.
  std::size_t decode(std::string_view in, std::string& out);
  bool finished() const { return finished_; }
  void reset() { *this = DotUnstuffer{}; }

 private:
  enum class State { line_start, mid_line, dot, dot_cr };
  State state_ = State::line_start;
  bool finished_ = false;
};

}  // namespace mv
