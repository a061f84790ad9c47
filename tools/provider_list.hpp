// SPDX-License-Identifier: Apache-2.0
// --list-providers: the provider presets as a plain-text table (name, address domains, IMAP,
// POP3, SMTP, note), so a user can see what --email or --provider will pick.
#pragma once

#include <ostream>

namespace mv::tool {

void print_provider_table(std::ostream& out);

}  // namespace mv::tool
