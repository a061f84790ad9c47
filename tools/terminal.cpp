// SPDX-License-Identifier: Apache-2.0
#include "tools/terminal.hpp"

#include <langinfo.h>
#include <unistd.h>

#include <clocale>
#include <cstdlib>
#include <cstring>
#include <string>

namespace mv::tool {

TerminalStyle terminal_style(ColorChoice choice, bool stdout_tty, bool stderr_tty,
                             const char* no_color, const char* term, bool utf8_locale) {
  const bool dumb = term == nullptr || *term == '\0' || std::strcmp(term, "dumb") == 0;
  TerminalStyle style;
  style.utf8 = utf8_locale;
  switch (choice) {
    case ColorChoice::always:
      style.color = true;
      break;
    case ColorChoice::never:
      style.color = false;
      break;
    case ColorChoice::automatic:
      style.color = stdout_tty && !dumb && (no_color == nullptr || *no_color == '\0');
      break;
  }
  style.progress = stderr_tty && !dumb;
  return style;
}

bool locale_is_utf8() {
  // Ask the C library with the environment's LC_CTYPE, then put the "C" default back: nothing
  // else in the tool may start depending on the user's locale.
  const char* previous = std::setlocale(LC_CTYPE, nullptr);
  const std::string saved = previous ? previous : "C";
  if (std::setlocale(LC_CTYPE, "") == nullptr) return false;
  const char* codeset = ::nl_langinfo(CODESET);
  const bool utf8 = codeset != nullptr &&
                    (std::strcmp(codeset, "UTF-8") == 0 || std::strcmp(codeset, "utf8") == 0);
  std::setlocale(LC_CTYPE, saved.c_str());
  return utf8;
}

TerminalStyle detect_terminal_style(ColorChoice choice) {
  return terminal_style(choice, ::isatty(STDOUT_FILENO) == 1, ::isatty(STDERR_FILENO) == 1,
                        std::getenv("NO_COLOR"), std::getenv("TERM"), locale_is_utf8());
}

}  // namespace mv::tool
