// SPDX-License-Identifier: Apache-2.0
// The one error type of every layer. A protocol machine fills category, code and the server's
// words; the engine adds the step and the diagnosis (cause and fix). Plain data: no exceptions.
#pragma once

#include <string>
#include <string_view>

#include "core/error_kind.hpp"
#include "core/server_signal.hpp"

namespace mv {

struct Error {
  Category category = Category::none;
  ErrorKind kind = ErrorKind::none;
  Protocol protocol = Protocol::none;  // the session's protocol, none outside a session
  std::string code;         // stable machine id, error_code(kind, protocol): "smtp.auth_failed"
  ServerSignal signal;      // what the server's reply said in codes (reply class, [CODE], [ALERT])
  std::string detail;       // what the tool observed, in one sentence
  std::string server_says;  // the server's own words, sanitised (see sanitize_server_text)
  std::string step;         // engine step that failed, e.g. "smtp.auth"
  std::string cause;        // diagnosis: likely cause, one line
  std::string fix;          // diagnosis: what to do, one line

  explicit operator bool() const { return category != Category::none; }
};

// An error of this kind; its category is the kind's default, or temporary when the server's
// signal says "not now" (a 4xx, [UNAVAILABLE], [SYS/TEMP] ...), whatever the step.
Error make_error(ErrorKind kind, Protocol protocol, std::string detail,
                 std::string_view server_says = {}, ServerSignal signal = {});

// Server text made safe to print: control characters escaped as \xNN, length capped.
std::string sanitize_server_text(std::string_view text, size_t max_len = 512);
// Appends c, or "\xNN" when it is a control character (tab too, unless keep_tab).
void append_escaped(std::string& out, unsigned char c, bool keep_tab = false);

}  // namespace mv
