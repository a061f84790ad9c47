// SPDX-License-Identifier: Apache-2.0
// Reads a message read back from the server (an IMAP BODY[] literal, a POP3 TOP or RETR payload
// already un-dot-stuffed) as it streams by, keeping only what the round trip checks: the
// X-Mailverify-Token value (and whether any such value equals a wanted token), the Message-ID, the
// byte count and the BodyDigest of everything after the first empty line. Header fields are
// unfolded (RFC 5322 2.2.3); CRLF and bare LF both end a header line. Memory stays bounded whatever
// the message: one physical line and one unfolded field of at most max_field bytes each; a
// longer field is skipped (never grown, never matched) and sets header_truncated. Body bytes go
// straight into the digest. Any chunking of the input gives the same result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "protocols/common/message.hpp"

namespace mv {

struct MessageScanOptions {
  std::string wanted_token;  // value to look for; empty: token_matched stays false
  bool digest_body = true;   // false: header-only reads (POP3 TOP n 0); body_digest stays empty
  // Longest header line and unfolded field kept (Limits::max_scanned_field). Nothing we look for
  // comes near it (tokens are at most TestMessage::kMaxTokenLength, Message-IDs a few hundred).
  std::size_t max_field = kDefaultLimits.max_scanned_field;
};

struct ScannedMessage {
  std::optional<std::string> token;  // the first X-Mailverify-Token value, trimmed
  bool token_matched = false;        // some X-Mailverify-Token value equals the wanted token
  std::string message_id;            // the first Message-ID value, trimmed (angle brackets kept)
  std::string body_digest;           // hex SHA-256 (see BodyDigest); empty unless digest_body
  std::uint64_t bytes = 0;           // the whole message, header included, line ends as received
  bool header_ended = false;         // the empty line ending the header was seen
  bool header_truncated = false;     // a field longer than max_field was skipped
};

class MessageScanner {
 public:
  explicit MessageScanner(MessageScanOptions options = {});

  void update(std::string_view chunk);
  // Ends the message (a last header line without line end still counts) and returns what was
  // found; the scanner then starts over for another message with the same options.
  ScannedMessage finish();

 private:
  void end_line();
  void end_field();

  MessageScanOptions options_;
  ScannedMessage result_;
  BodyDigest digest_;
  std::string line_;  // the current physical header line, at most max_field + 1 bytes
  bool line_overlong_ = false;
  std::string field_;  // the current unfolded header field, at most max_field bytes
  bool field_overlong_ = false;
};

}  // namespace mv
