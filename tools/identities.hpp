// SPDX-License-Identifier: Apache-2.0
// Who logs in where: turns the parsed identity plans into the Credentials of the SMTP and the
// incoming session. SMTP uses its own identity when --smtp-user/--smtp-password-* were given and
// the shared one otherwise. A secret source is read once even when both sessions use it; with no
// source named, ~/.netrc is asked for the session's host, then the terminal.
#pragma once

#include <string>
#include <vector>

#include "tools/options.hpp"

namespace mv::tool {

// Fills options.config.{smtp,incoming}.{credentials,mechanism}. Returns a usage error (naming
// the failing source, never a secret), empty on success; appends warnings.
std::string resolve_identities(ToolOptions& options, std::vector<std::string>& warnings);

}  // namespace mv::tool
