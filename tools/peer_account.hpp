// SPDX-License-Identifier: Apache-2.0
// --peer-email: a second account for the setup guide's other two directions ("a message from
// another account arrives", "reply to it, and the reply goes through"). Its options are the main
// account's, spelled --peer-<option> (--peer-password-env, --peer-host, --peer-receive, ...), so
// it takes every credential source the account takes. Shared settings (--cafile, --insecure,
// --allow-plaintext, -4/-6, timeouts, --ehlo, --body-size, --keep) carry over; so do the
// account's servers when the peer names none and has no provider preset (same domain, same
// servers). Both runs are built here; engine/run.hpp's run_two_way() runs them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/run.hpp"

namespace mv::tool {

struct ToolOptions;

// Splits argv into the account's words and the peer's (as a command line of its own, with
// --email, and with the shared options and, when it names no server, the account's servers).
// Empty words for the peer: no --peer-email. Returns a usage error, empty when fine.
std::string split_peer_args(const std::vector<std::string>& args, std::vector<std::string>& main,
                            std::vector<std::string>& peer);

// The two legs: the peer sends to the account (read back from the account's mailbox, with its
// checks), and the account replies to the peer (read back from the peer's mailbox).
std::pair<RunConfig, RunConfig> peer_legs(const ToolOptions& account, const ToolOptions& peer);

}  // namespace mv::tool
