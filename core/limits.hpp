// SPDX-License-Identifier: Apache-2.0
// Every bound the protocol machines enforce, in one place, with safe defaults. Exceeding one is a
// protocol error naming the limit (or, for the caches and result lists, a documented truncation),
// never an allocation that grows with what a server sends. Each client takes a Limits in its
// options; tests and fuzz targets shrink them to reach the edges quickly.
#pragma once

#include <cstddef>

namespace mv {

struct Limits {
  // One response line, CRLF included (SMTP reply line, POP3 status/list line, IMAP line).
  std::size_t max_line = 8 * 1024;
  // Lines in one multi-line SMTP/POP3 reply (EHLO, CAPA).
  std::size_t max_reply_lines = 128;
  // One whole response (its lines joined).
  std::size_t max_reply_bytes = 64 * 1024;
  // EHLO keywords, CAPA lines, IMAP capabilities and PERMANENTFLAGS atoms.
  std::size_t max_capabilities = 128;
  // One IMAP literal; streamed in chunks, never buffered whole.
  std::size_t max_literal = 256ull * 1024 * 1024;
  // Nesting of IMAP parenthesised lists.
  std::size_t max_list_depth = 16;
  // Challenges answered in one SASL exchange (AUTH / AUTHENTICATE): past it the client cancels.
  std::size_t max_sasl_rounds = 8;
  // Message bytes the SMTP client queues at a time while streaming the body.
  std::size_t output_chunk = 16 * 1024;
  // IMAP: UIDs kept in the sequence-number and flags caches (the oldest are dropped past it).
  std::size_t max_tracked_uids = 256;
  // IMAP: LIST entries kept; more are counted as a truncated list.
  std::size_t max_folders = 1024;
  // IMAP: UIDs kept from one SEARCH; more are counted as a truncated result.
  std::size_t max_search_results = 4096;
  // POP3: entries of one UIDL or LIST answer (about 10 MB of listing at the longest UIDs); more
  // is error pop3.listing_too_long.
  std::size_t max_pop3_listing = 100'000;
  // One header line and one unfolded header field the message scanner keeps (token, Message-ID);
  // a longer field is skipped and reported as a truncated header.
  std::size_t max_scanned_field = 8 * 1024;
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
