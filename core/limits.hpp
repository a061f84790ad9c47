// SPDX-License-Identifier: Apache-2.0
// Every bound the protocol machines enforce, in one place, with safe defaults. Exceeding one is a
// protocol error naming the limit, never an allocation that grows with what a server sends.
#pragma once

#include <cstddef>

namespace mv {

struct Limits {
  std::size_t max_line = 8 * 1024;                 // one response line, CRLF included
  std::size_t max_reply_lines = 128;               // lines in one multi-line SMTP/POP3 reply
  std::size_t max_reply_bytes = 64 * 1024;         // one whole response (lines joined)
  std::size_t max_capabilities = 128;              // EHLO keywords, CAPA lines, IMAP capabilities
  std::size_t max_literal = 256ull * 1024 * 1024;  // one IMAP literal (streamed, never buffered)
  std::size_t max_list_depth = 16;                 // nested IMAP parenthesised lists
  std::size_t max_sasl_rounds = 8;                 // challenge/response rounds in one AUTH
  std::size_t output_chunk = 16 * 1024;            // body bytes the client queues at a time
};

inline constexpr Limits kDefaultLimits{};

}  // namespace mv
