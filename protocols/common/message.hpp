// SPDX-License-Identifier: Apache-2.0
// The test message a run sends to the account itself, produced as a stream so a 50 MB body costs
// no memory: From/To = the account, Date, Message-ID, a Subject and an X-Mailverify-Token header
// carrying the per-run random token, and a text body derived from the token. Its normalised body
// digest is known before sending. User-supplied values containing CR, LF or NUL are refused.
// Body lines all have the same length, so read() can produce the bytes at any offset on the fly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace mv {

inline constexpr std::string_view kTokenHeader = "X-Mailverify-Token";

// The test message's Subject for this token, as a user would search for it in a mail client.
inline std::string test_subject(std::string_view token) {
  return "mailverify round-trip test " + std::string(token);
}

// Anything the SMTP client streams as the message text (not yet dot-stuffed).
class MessageSource {
 public:
  virtual ~MessageSource() = default;
  // Fills up to cap bytes; 0 means the end. Line ends are CRLF.
  virtual std::size_t read(char* buf, std::size_t cap) = 0;
  virtual std::size_t size() const = 0;  // total bytes read() will return
  virtual void rewind() = 0;
};

struct MessageSpec {
  std::string from;             // the account's address
  std::string to;               // the account's address (the run sends to itself)
  std::string token;            // per-run random token, [A-Za-z0-9] only (the engine makes it)
  std::string date;             // RFC 5322 date-time (the engine supplies the clock)
  std::size_t body_size = 512;  // approximate body bytes (whole lines of text)
  // A reply: the Message-ID ("<...>") it answers, put in In-Reply-To and References (RFC 5322
  // 3.6.4) with "Re: " before the subject. Empty: not a reply.
  std::string in_reply_to;
};

class TestMessage final : public MessageSource {
 public:
  // Refuses (with a usage error) CR, LF, NUL or other control bytes in any field
  // ("usage.bad_header_value"), an empty, over-long (> kMaxTokenLength) or non-alphanumeric token
  // ("usage.bad_token"), addresses without '@' between a local part and a domain
  // ("usage.bad_address"), an empty date ("usage.bad_date") and a body over kMaxBodySize
  // ("usage.body_too_large"). Composing hashes the body once, streaming.
  // Format rules of the message we write, not bounds on what anyone sends us (so not in Limits):
  // the token keeps every body line under 78 chars; an address or date field keeps its header
  // line far under RFC 5322's 998 octets; the body is generated while it is sent, never held, so
  // its cap only refuses a size no real check asks for.
  static constexpr std::size_t kMaxTokenLength = 40;
  static constexpr std::size_t kMaxFieldLength = 512;
  static constexpr std::size_t kMaxBodySize = std::size_t{64} << 30;
  static std::optional<TestMessage> compose(const MessageSpec& spec, Error& error);

  std::size_t read(char* buf, std::size_t cap) override;
  std::size_t size() const override { return header_.size() + body_size_; }
  void rewind() override { pos_ = 0; }

  const std::string& token() const { return token_; }
  const std::string& message_id() const { return message_id_; }
  // Hex SHA-256 of the normalised body (see BodyDigest).
  const std::string& body_digest() const { return body_digest_; }

 private:
  TestMessage() = default;
  void body_bytes(std::size_t offset, char* out, std::size_t n) const;

  std::string header_;
  std::string token_;
  std::string message_id_;
  std::string body_line_;         // "mailverify <token> line ": the fixed start of every body line
  std::size_t number_width_ = 6;  // digits of the line number, fixed so offsets map to lines
  std::size_t body_size_ = 0;
  std::string body_digest_;
  std::size_t pos_ = 0;
};

// Streaming digest of a message body as read back: line ends normalised to CRLF (CR LF, bare LF
// and bare CR all count as one line end) and trailing empty lines ignored, so transports that
// re-encode line ends or add a final newline do not count as modification. Feed the body only
// (after the blank line that ends the header), in any chunks; state is a few counters.
class BodyDigest {
 public:
  BodyDigest();
  ~BodyDigest();
  BodyDigest(BodyDigest&&) noexcept;
  BodyDigest& operator=(BodyDigest&&) noexcept;
  void update(std::string_view chunk);
  std::string finish();  // hex SHA-256; the digest then starts over for a new body

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace mv
