// SPDX-License-Identifier: Apache-2.0
// The one error type of every layer. A protocol machine fills category, code and the server's
// words; the engine adds the step and the diagnosis (cause and fix). Plain data: no exceptions.
#pragma once

#include <string>
#include <string_view>

namespace mv {

enum class Category { none, usage, network, tls, protocol, auth, policy, delivery, interrupted };

std::string_view category_name(Category c);

struct Error {
  Category category = Category::none;
  std::string code;         // stable machine id, e.g. "smtp.starttls_injection", "tls.unknown_ca"
  std::string detail;       // what the tool observed, in one sentence
  std::string server_says;  // the server's own words, sanitised (see sanitize_server_text)
  std::string step;         // engine step that failed, e.g. "smtp.auth"
  std::string cause;        // diagnosis: likely cause, one line
  std::string fix;          // diagnosis: what to do, one line

  explicit operator bool() const { return category != Category::none; }
};

Error make_error(Category category, std::string code, std::string detail,
                 std::string_view server_says = {});

// Server text made safe to print: control characters escaped as \xNN, length capped.
std::string sanitize_server_text(std::string_view text, size_t max_len = 512);
// Appends c, or "\xNN" when it is a control character (tab too, unless keep_tab).
void append_escaped(std::string& out, unsigned char c, bool keep_tab = false);

}  // namespace mv
