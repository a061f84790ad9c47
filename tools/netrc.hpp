// SPDX-License-Identifier: Apache-2.0
// ~/.netrc: the classic per-host login file (machine HOST login USER password SECRET, a catch-all
// `default` entry, `macdef` blocks skipped, quoted tokens). Used only when no other secret source
// was named; a missing file or host is simply no answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/limits.hpp"

namespace mv::tool {

struct NetrcLogin {
  std::string login;  // empty: the entry names no login
  std::string password;
};

// The first entry for this host (case-insensitive) whose login is `user` (any login when user is
// empty; an entry without login fits every user), else the `default` entry on the same terms.
// Entries without a password are no answer.
std::optional<NetrcLogin> netrc_lookup(std::string_view netrc_text, std::string_view host,
                                       std::string_view user);

// Reads $HOME/.netrc (its first limits.max_netrc_file bytes); nullopt when there is no home, no
// file, or no fitting entry. Sets warning when the file is readable by other users.
std::optional<NetrcLogin> netrc_lookup_home(std::string_view host, std::string_view user,
                                            std::string& warning,
                                            const Limits& limits = kDefaultLimits);

}  // namespace mv::tool
