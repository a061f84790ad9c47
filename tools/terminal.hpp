// SPDX-License-Identifier: Apache-2.0
// Terminal manners: whether to colour the human output and draw a live progress line, and which
// markers to use. --color=auto (the default) colours only a terminal, and never when NO_COLOR is
// set to anything non-empty (no-color.org) or TERM is "dumb" (or unset); --color=always and
// --color=never (--no-color) decide alone. Outside a UTF-8 locale the markers are ASCII.
#pragma once

#include "tools/options.hpp"

namespace mv::tool {

struct TerminalStyle {
  bool color = false;
  bool progress = false;  // a live line rewritten with \r and ESC[K (a real terminal only)
  bool utf8 = false;      // ✓ ✗ … rather than + x ...
  const char* ok_mark() const { return utf8 ? "✓" : "+"; }
  const char* fail_mark() const { return utf8 ? "✗" : "x"; }
  const char* ellipsis() const { return utf8 ? "…" : "..."; }
};

// The pure rule: choice from the command line, whether stdout and stderr are terminals, the
// environment's NO_COLOR and TERM (nullptr: unset), and whether the locale's charset is UTF-8.
TerminalStyle terminal_style(ColorChoice choice, bool stdout_tty, bool stderr_tty,
                             const char* no_color, const char* term, bool utf8_locale);

// Whether the environment's locale (LC_ALL, LC_CTYPE, LANG) uses UTF-8; the C locale does not.
bool locale_is_utf8();

// The style for this process: terminal_style() over isatty, getenv and locale_is_utf8().
TerminalStyle detect_terminal_style(ColorChoice choice);

}  // namespace mv::tool
