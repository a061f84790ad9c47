// Reads a fetched message as it streams by, keeping only what verification needs: the
// X-Mailverify-Token header value, the Message-ID, the normalised body digest (BodyDigest over
// everything after the first empty line) and the byte count. Header fields are unfolded and
// bounded (a field longer than max_field keeps its first max_field bytes and sets
// header_truncated); memory never grows with the message. Any chunking gives the same result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/common/message.hpp"

namespace mv {

struct ImapScannedBody {
  std::optional<std::string> token;  // first X-Mailverify-Token value, trimmed
  std::string message_id;            // first Message-ID value, trimmed (angle brackets kept)
  std::string body_digest;           // hex SHA-256 (see BodyDigest)
  std::uint64_t bytes = 0;           // whole message, header included
  bool has_body_separator = false;   // an empty line ended the header
  bool header_truncated = false;
};

class ImapBodyScanner {
 public:
  explicit ImapBodyScanner(std::size_t max_field = 8 * 1024) : max_field_(max_field) {}

  void update(std::string_view chunk);
  // Ends the message and returns what was found; the scanner is then reset for the next one.
  ImapScannedBody finish();
  void reset();

 private:
  void end_line();
  void end_field();

  std::size_t max_field_;
  ImapScannedBody result_;
  BodyDigest digest_;
  std::string line_;
  std::string field_;
  bool in_body_ = false;
};

}  // namespace mv
