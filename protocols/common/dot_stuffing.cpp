// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/dot_stuffing.hpp"

#include <cstring>

namespace mv {

void DotStuffer::encode(std::string_view in, std::string& out) {
  std::size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {  // the LF of a CRLF already written
        ++i;
        continue;
      }
    }
    if (c == '\r' || c == '\n') {
      out += "\r\n";
      at_line_start_ = true;
      pending_cr_ = c == '\r';
      ++i;
      continue;
    }
    if (at_line_start_ && c == '.') out += '.';
    at_line_start_ = false;
    // Copy the rest of the line in one go: per-byte work only at line ends.
    std::size_t end = i;
    while (end < in.size() && in[end] != '\r' && in[end] != '\n')
      ++end;
    out.append(in.data() + i, end - i);
    i = end;
  }
}

void DotStuffer::finish(std::string& out) {
  if (!at_line_start_) out += "\r\n";
  out += ".\r\n";
  at_line_start_ = true;
  pending_cr_ = false;
}

std::size_t DotUnstuffer::decode(std::string_view in, std::string& out) {
  if (finished_) return 0;
  std::size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    switch (state_) {
      case State::mid_line: {
        const void* lf = std::memchr(in.data() + i, '\n', in.size() - i);
        const std::size_t end =
            lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - in.data()) + 1 : in.size();
        out.append(in.data() + i, end - i);
        if (lf) state_ = State::line_start;
        i = end;
        continue;
      }
      case State::line_start:
        if (c == '.') {
          state_ = State::dot;  // either the terminator or a stuffed dot: dropped both ways
          ++i;
          continue;
        }
        state_ = State::mid_line;
        continue;  // reprocess c as line text
      case State::dot:
        if (c == '\r') {
          state_ = State::dot_cr;
          ++i;
          continue;
        }
        if (c == '\n') {
          finished_ = true;
          return i + 1;
        }
        state_ = State::mid_line;
        continue;
      case State::dot_cr:
        if (c == '\n') {
          finished_ = true;
          return i + 1;
        }
        // "." CR then something else: a line holding a lone CR after the stuffed dot.
        out += '\r';
        state_ = State::mid_line;
        continue;
    }
  }
  return i;
}

}  // namespace mv
