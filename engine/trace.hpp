// SPDX-License-Identifier: Apache-2.0
// The wire transcript behind --trace: every byte each session sent and received, with direction
// and time since the run began, control characters escaped, and credentials redacted (whatever a
// conversation marks as sensitive output: AUTH, LOGIN, PASS, SASL responses). Lines are written as
// they happen, so a trace of a hung run shows where it hung. The first line gives the wall-clock
// (UTC, microseconds) instant of time 0, to line the trace up with server logs.
// Exact bytes: a trace line stands for its text, unescaped ("\xNN" is the byte NN), plus CR LF.
// Two marks at the very end say otherwise: "\x0a", the line ended in a bare LF (no CR); "\", the
// bytes arrived (or left) in pieces and the line goes on in the session's next line of the same
// direction. A backslash of the data that could be mistaken for either (before an "x", or last)
// is written "\x5c"; any other ("\Seen") is written as is.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "engine/clock.hpp"

namespace mv {

class Trace {
 public:
  // Opens (truncates) the file; a usage error when it cannot be written. Times come from clock,
  // which must outlive the trace.
  static std::unique_ptr<Trace> open(const std::string& path, Error& error,
                                     const Clock& clock = system_clock());
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  // Client → server bytes; sensitive bytes keep only the command verb.
  void sent(std::string_view session, std::string_view bytes, bool sensitive);
  void received(std::string_view session, std::string_view bytes);
  // Something that is not bytes on the wire: connect, TLS established, a failure.
  void note(std::string_view session, std::string_view text);

  // What a sensitive line shows: "AUTH PLAIN", "A1 LOGIN", "PASS" and the rest redacted.
  static std::string redact(std::string_view line);
  // Control characters as \xNN, and a backslash before "x" or at the end as \x5c.
  static std::string escape(std::string_view text);

 private:
  Trace(std::FILE* file, const Clock& clock)
      : file_(file), clock_(clock), start_us_(clock.now_us()) {}
  void write_lines(std::string_view session, char direction, std::string_view bytes, bool sensitive,
                   bool wire);
  void prefix(std::string_view session, char direction);

  std::FILE* file_;
  const Clock& clock_;
  std::int64_t start_us_;
};

}  // namespace mv
