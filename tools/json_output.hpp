// SPDX-License-Identifier: Apache-2.0
// --json: one JSON document on stdout describing the run (schema_version 1): the settings used,
// every step with its timing, the warnings, and the error with its diagnosis or null. Strings
// are escaped so the document is valid JSON and valid UTF-8 whatever bytes a server sent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/run.hpp"
#include "tools/presets.hpp"

namespace mv::tool {

struct JsonRun {
  const RunConfig& config;
  const RunResult& result;
  const ProviderPreset* preset = nullptr;
  const std::vector<std::string>& tool_warnings;  // from the command line (legacy names, ...)
  int exit_code = 0;
};

std::string render_json(const JsonRun& run);

// A run that never started: ok false, error category "usage".
std::string render_json_usage_error(const std::string& message, int exit_code);

// A JSON string literal with quotes: ", \ and control characters escaped; valid UTF-8 passed
// through; bytes that are not valid UTF-8 escaped as \u00XX (their Latin-1 reading).
std::string json_quote(std::string_view s);

}  // namespace mv::tool
