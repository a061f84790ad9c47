// SPDX-License-Identifier: Apache-2.0
// The tool's version and the TLS library it was built with: --version, and the JSON document's
// "tool_version", so a report or a monitoring record says which build produced it.
#pragma once

#include <string>
#include <string_view>

namespace mv::tool {

// The project's version from CMake (project(... VERSION)), e.g. "0.1.0".
std::string_view tool_version();

// One line for --version: "verify-roundtrip 0.1.0 (mbed TLS 2.28.3)"; the minimal driver passes
// its own name.
std::string version_line(std::string_view program = "verify-roundtrip");

}  // namespace mv::tool
