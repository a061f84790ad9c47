// SPDX-License-Identifier: Apache-2.0
// The values an option takes when they form a fixed set (TLS modes, --receive, --check,
// --stop-after, --auth mechanisms, --provider names), for the shell completions. A unit test
// feeds each one to the command-line parser, so a value offered here is one it accepts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mv::tool {

// Empty when the option's value is free (a host, a file, a number) or it takes none.
std::vector<std::string> option_values(std::string_view option);

}  // namespace mv::tool
