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
  // XML documents of settings discovery (autoconfig, Autodiscover): read whole, so every part
  // of the tree is bounded; real ones are a few KiB (the largest ISPDB entries under 16 KiB).
  std::size_t max_xml_document = 256 * 1024;  // the whole document (and the HTTP body holding it)
  std::size_t max_xml_depth = 32;             // nested elements
  std::size_t max_xml_attributes = 32;        // attributes (namespace declarations too) per element
  std::size_t max_xml_text = 16 * 1024;       // one attribute value, one element's text
  std::size_t max_xml_elements = 4096;        // elements in the whole document
  std::size_t max_redirects = 3;              // HTTP redirects one discovery source follows
};

inline constexpr Limits kDefaultLimits{};

}  // namespace mv
