// SPDX-License-Identifier: Apache-2.0
// The local ISPDB source: a directory laid out like the ISPDB repository (<dir>/<domain>,
// <dir>/<domain>.xml, or the repository's own <dir>/ispdb/<domain>.xml) or one file the user
// names, read with a bound (Limits::max_xml_document) and turned into candidates by the engine
// (local_ispdb_outcome). The file reading lives here because the engine does no file I/O.
#pragma once

#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "engine/source_outcome.hpp"

namespace mv {

SourceOutcome read_local_ispdb(const std::string& path, std::string_view email,
                               std::string_view domain, const Limits& limits = kDefaultLimits);

}  // namespace mv
