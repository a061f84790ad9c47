// The default, human-readable rendering of a Report: one line per step with its mark, duration
// and facts, then the verdict; on failure the step, the server's words, the cause and the fix.
#pragma once

#include <ostream>
#include <string>

#include "engine/report.hpp"

namespace mv::tool {

void print_human(std::ostream& out, const Report& report, const std::string& verdict_ok,
                 bool color);

}  // namespace mv::tool
