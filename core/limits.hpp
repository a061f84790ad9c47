// SPDX-License-Identifier: Apache-2.0
// Every bound on what a server, a peer or a user's files and commands can make us hold or do, in
// one place, with safe defaults: the mail protocols', the sign-in's (HTTP, JSON, the redirect
// listener), settings discovery's (XML, DNS, redirects) and the tool's (secrets, the accounts,
// netrc and grant files). Exceeding one is a protocol error naming the limit (or, for the caches
// and result lists, a documented truncation), never an allocation that grows with what a server
// sends. Each client, parser and listener takes a Limits (kDefaultLimits when none is given); tests
// and fuzz targets shrink them to reach the edges quickly. Protocol constants that are no choice of
// ours (a DNS name's 255 bytes, a DNS message's 65535) stay with their parsers.
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
  // POP3: the newest messages one token search reads with TOP n 0 (the test message is among
  // the newest; a maildrop of thousands is never read whole on every visit).
  std::size_t max_pop3_scanned = 50;
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
  // The target of an Autodiscover redirectAddr or redirectUrl (an address or an https URL, asked
  // next; error discover.document past it): far more than an address may be (RFC 5321 4.5.3.1.3:
  // a path of 256 octets) and than any real Autodiscover URL.
  std::size_t max_autodiscover_redirect = 2048;

  // HTTP/1.1 responses (RFC 9112) of the OAuth2 token and device endpoints and the discovery
  // sources: read whole, so the status line, the headers and the body are each bounded (error
  // http.too_large). 8 KiB a line, as RFC 9112 section 3 recommends for request lines; token
  // answers are a few KiB; discovery documents are bounded tighter, by max_xml_document.
  std::size_t max_http_line = 8 * 1024;           // the status line, one header, a chunk-size line
  std::size_t max_http_headers = 100;             // header fields of one response (and trailers)
  std::size_t max_http_header_bytes = 64 * 1024;  // all header lines of one response together
  std::size_t max_http_body = 1024 * 1024;        // the decoded body

  // JSON documents (RFC 8259): OAuth2 answers, the grant file. Read whole; past a bound the error
  // is json.too_large or json.depth. Real answers are a few KiB and shallow.
  std::size_t max_json_bytes = 1024 * 1024;  // the whole document
  std::size_t max_json_depth = 32;           // nested arrays and objects
  std::size_t max_json_values = 16 * 1024;   // values in the whole document
  // One decoded part (header, claims) of a JWT access token (RFC 7519), read for diagnosis only;
  // a larger one is treated as no JWT (nothing is said about it). Real ones are a few KiB.
  std::size_t max_jwt_part = 64 * 1024;

  // DNS responses (RFC 1035) of settings discovery. A message is at most 65535 bytes by its
  // framing (RFC 1035 4.2.2) and a name 255 (RFC 1035 2.3.4); within that, answer records kept
  // (a domain publishes a handful of SRV or MX records) and compression pointers followed in one
  // name (RFC 1035 4.1.4 allows any chain; a real one is 2 or 3 hops).
  std::size_t max_dns_records = 64;
  std::size_t max_dns_pointer_hops = 16;
  // Rounds of one query over the name server list (each server asked once per round, within the
  // query's deadline): a server that fails at once (refused, SERVFAIL) must not be asked in a
  // spin until the deadline. resolv.conf's default is two attempts; one more for a lost datagram.
  std::size_t max_dns_rounds = 3;

  // The browser sign-in's loopback redirect listener (RFC 8252 section 7.3): the request head it
  // reads from one connection (one GET line and a browser's headers, usually under 2 KiB) and
  // the connections it keeps open at once (browsers open spare ones). Past either, a connection
  // is closed without an answer.
  std::size_t max_redirect_head = 8 * 1024;
  std::size_t max_redirect_connections = 8;

  // What the tool reads from the files and commands a user names (tools/): bounded like a
  // server's bytes, since a wrong path or command (/dev/zero, a log file) must not exhaust memory.
  // One secret (the first line of --password-cmd's output or --password-file, a typed password):
  // OAuth2 access tokens reach a few KiB, nothing sane is longer. A longer one is an error naming
  // its source (a typed one is cut at the bound).
  std::size_t max_secret = 64 * 1024;
  // The --accounts file (an error past it): a megabyte is thousands of accounts.
  std::size_t max_accounts_file = 1024 * 1024;
  // ~/.netrc: read up to this many bytes; entries past it are not seen (a real one is a few lines).
  std::size_t max_netrc_file = 1024 * 1024;
  // A stored OAuth2 grant (the grant file or --oauth2-store-cmd's output): a few KiB of JSON; a
  // longer one is reported as damaged.
  std::size_t max_grant_file = 256 * 1024;
};

inline constexpr Limits kDefaultLimits{};

// Not a bound on what a peer sends (each read takes what fits, the rest waits in the kernel or
// the TLS layer): the buffer one read call fills (a session, DNS over TCP, the redirect
// listener). 16 KiB is one maximal TLS record's plaintext (RFC 8446 section 5.1), so one read
// empties one record.
inline constexpr std::size_t kReadChunk = 16 * 1024;

// A fixed window, not a buffer that grows: how many of the first bytes received during a TLS
// handshake tls/stream keeps, to recognise (and quote) a plaintext answer where TLS was due.
// mbedTLS consumes the record header before it fails, so a later MSG_PEEK alone would miss the
// start of the line; a mail greeting or an HTTP status line fits well within it.
inline constexpr std::size_t kFirstBytesKept = 512;

}  // namespace mv
