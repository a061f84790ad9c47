// SPDX-License-Identifier: Apache-2.0
// The one-sentence verdict of a passed run, worded by what was asked for (dry run, send only,
// receive only, the full round trip), shared by every output format.
#pragma once

#include <string>

#include "engine/run.hpp"

namespace mv::tool {

std::string verdict_text(const RunConfig& config, const RunResult& result);

}  // namespace mv::tool
