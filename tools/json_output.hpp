// SPDX-License-Identifier: Apache-2.0
// --json: one JSON document on stdout describing the run (schema_version 1, published as
// schema/verify-roundtrip.schema.json): the settings used, the message sent (token, Message-ID,
// body digest, queue id), every step with its timing, where each session connected, its TLS facts
// with the certificate's expiry, the warnings, and the error with its diagnosis. One rule for
// absent values: null, never "". Times in ms always carry one decimal. Strings are escaped so the
// document is valid JSON and valid UTF-8 whatever bytes a server sent.
#pragma once

#include <cstdint>
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
  std::string name;  // --name (or the accounts file's "NAME:"); empty: none
};

// discovery: the "discovery" object (tools/discovery_output.hpp); empty: the key is left out.
std::string render_json(const JsonRun& run, std::string_view discovery = {});

// An instant as RFC 3339 in UTC: "2026-12-07T05:21:03.123Z" (with_ms) or "...:03Z".
std::string rfc3339_utc(std::int64_t unix_ms, bool with_ms);

// A document without a run's facts (every one null or empty), for this error: a usage error, or
// the -t deadline's last words when cleaning up did not finish.
std::string render_json_without_run(const Error& error, int exit_code);

// A run that never started: ok false, error category "usage".
std::string render_json_usage_error(const std::string& message, int exit_code);

// A JSON string literal with quotes: ", \ and control characters escaped; valid UTF-8 passed
// through; bytes that are not valid UTF-8 escaped as \u00XX (their Latin-1 reading).
std::string json_quote(std::string_view s);

}  // namespace mv::tool
