// SPDX-License-Identifier: Apache-2.0
// The default, human-readable rendering: first the settings actually used (with the preset's
// name when one applied), then one line per step with its mark, duration and facts, then the
// verdict; on failure the step, the server's words, the cause and the fix.
#pragma once

#include <ostream>
#include <string>

#include "engine/report.hpp"
#include "engine/run.hpp"
#include "tools/presets.hpp"
#include "tools/terminal.hpp"

namespace mv::tool {

void print_settings_line(std::ostream& out, const RunConfig& config, const ProviderPreset* preset);

// Colour and the step markers as the terminal allows (tools/terminal.hpp).
void print_human(std::ostream& out, const Report& report, const std::string& verdict_ok,
                 const TerminalStyle& style);

// --accounts: one line per account, "OK label 66 ms" or "FAIL label 20 ms code: detail"
// ("STOPPED" when interrupted); the label is the account's name or address (no newline; control
// characters from a server's words become spaces).
std::string account_line(const std::string& label, const Report& report);

}  // namespace mv::tool
