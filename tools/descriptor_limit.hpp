// SPDX-License-Identifier: Apache-2.0
// --accounts with a high --concurrency needs many descriptors at once: each account in flight
// holds up to four connections (SMTP, IMAP, the second device's IMAP, the Sent check) plus, when
// SMTP cannot connect, three port probes and a name lookup. The soft RLIMIT_NOFILE (often 1024)
// is raised to the hard one first; when even that is too low, a clear usage error says so,
// instead of connections failing midway with EMFILE.
#pragma once

#include <cstddef>
#include <string>

namespace mv::tool {

// Descriptors `concurrent` accounts in flight may hold at once, with a margin for the process.
std::size_t descriptors_needed(std::size_t concurrent);

// Raises the soft limit to the hard one; returns why not enough remain (empty when they do).
std::string ensure_descriptors(std::size_t concurrent);

}  // namespace mv::tool
