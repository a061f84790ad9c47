// SPDX-License-Identifier: Apache-2.0
// A crash must not leave a password or an OAuth2 token on disk: the process is made non-dumpable
// (prctl PR_SET_DUMPABLE 0: no core file, also not through systemd-coredump or another
// core_pattern pipe, and no ptrace attach by other processes of the same user) and its core size
// limit is set to 0. As ssh-agent and gpg-agent do. Inherited by nothing: execve (a password
// command) makes the child dumpable again.
#pragma once

namespace mv::tool {

// Call first thing in main, before any secret is read. False (errno set) when the kernel refused.
bool forbid_core_dumps();

}  // namespace mv::tool
