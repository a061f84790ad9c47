// Streams a message read back over POP3 (a TOP or RETR payload, already un-dot-stuffed) and keeps
// only what the round trip checks: the X-Mailverify-Token value(s), the Message-ID, the octet count
// and, when asked, the normalised BodyDigest of the body. Memory stays bounded whatever the
// message: one unfolded header field of at most kMaxScannedField bytes is held at a time (a longer
// field is skipped, never grown), and body bytes go straight into the digest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/common/message.hpp"

namespace mv {

// Longest unfolded header field kept for matching; longer ones cannot be ours and are skipped.
inline constexpr std::size_t kMaxScannedField = 4096;

struct ScannedMessage {
  std::optional<std::string> token;  // the first X-Mailverify-Token value (trimmed)
  bool token_matched = false;        // some X-Mailverify-Token value equals the wanted token
  std::string message_id;            // the first Message-ID value (trimmed), empty if none
  std::string body_digest;           // hex SHA-256 (see BodyDigest); empty unless digest_body
  std::uint64_t size = 0;            // octets of message text (line ends as received)
  bool header_ended = false;         // the blank line ending the header was seen
};

class MessageScanner {
 public:
  // wanted_token: the value to look for (may be empty: then nothing matches). digest_body: hash the
  // body (RETR); TOP n 0 has none.
  explicit MessageScanner(std::string wanted_token = {}, bool digest_body = false);

  void update(std::string_view chunk);
  // Ends the message (a last header line without line end counts) and returns the facts.
  ScannedMessage finish();

 private:
  void end_line();
  void end_field();

  std::string wanted_;
  bool digest_body_;
  BodyDigest digest_;
  ScannedMessage result_;
  std::string field_;  // current unfolded header field
  bool field_overlong_ = false;
  std::string line_;  // current physical header line (bounded like field_)
  bool line_overlong_ = false;
  bool line_started_ = false;  // bytes of the current line seen
};

}  // namespace mv
