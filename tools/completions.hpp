// SPDX-License-Identifier: Apache-2.0
// Shell completions for verify-roundtrip, written from the option table (tools/options.hpp) and
// the fixed value sets (tools/option_values.hpp), so a new option completes without editing
// them. Values by kind: the fixed sets, file names for FILE, commands for CMD, variable names
// for VAR, host names for HOST. The build writes them with mv_gen_completions; they are
// installed for bash-completion, zsh and fish, and tests/packaging/check-completions.sh loads
// each in its shell.
#pragma once

#include <string>
#include <string_view>

namespace mv::tool {

enum class Shell { bash, zsh, fish };

std::string completion_script(Shell shell);

}  // namespace mv::tool
