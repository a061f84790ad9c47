// SPDX-License-Identifier: Apache-2.0
#include "tools/version.hpp"

#include "tls/tls_context.hpp"

#ifndef MAILVERIFY_VERSION
#error "MAILVERIFY_VERSION comes from CMakeLists.txt"
#endif

namespace mv::tool {

std::string_view tool_version() {
  return MAILVERIFY_VERSION;
}

std::string version_line(std::string_view program) {
  return std::string(program) + " " + std::string(tool_version()) + " (" +
         mv::tls_library_version() + ")";
}

}  // namespace mv::tool
