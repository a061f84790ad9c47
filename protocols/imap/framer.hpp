// SPDX-License-Identifier: Apache-2.0
// IMAP framing (RFC 9051 4.3, RFC 3501 4.3, RFC 7888 LITERAL+, RFC 3516 BINARY): splits the
// server's byte stream into line segments and literals before any grammar is applied. A segment
// that ends in {n}, {n+} or ~{n} outside a quoted string announces n raw bytes, after which the
// same response line continues with the next segment. Promises: the buffer never exceeds
// limits.max_line bytes; literal bytes are handed out in chunks as they arrive (never buffered
// whole); a literal larger than limits.max_literal or an unparsable/overflowing size is an error,
// never an allocation; errors are sticky. Chunking of the input never changes the pieces'
// concatenated contents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace mv {

class ImapFramer {
 public:
  enum class Kind { need_more, segment, literal, error };

  struct Piece {
    Kind kind = Kind::need_more;
    // segment: the line text without its line end (the literal marker, if any, included);
    // literal: one chunk of raw literal bytes (possibly empty for {0}).
    std::string_view data;
    // segment: size of the literal announced at its end; nullopt when the response line ends here.
    std::optional<std::uint64_t> literal;
    // literal: this chunk is the literal's last one (the line then continues with a segment).
    bool last = false;
  };

  explicit ImapFramer(const Limits& limits = kDefaultLimits);

  // Takes as many bytes as fit (the buffer is bounded by max_line) and returns how many it took;
  // the caller feeds the rest after draining next(). After an error everything is swallowed.
  std::size_t feed(std::string_view data);

  // The next piece. Views stay valid until the next non-const call. Errors are sticky.
  Piece next();

  // Bytes received but not yet handed out.
  std::size_t buffered() const { return buf_.size() - start_; }
  // True between the start of a response line and its final segment (incl. inside a literal).
  bool mid_response() const { return in_literal_ || continuing_ || buffered() > 0; }
  const Error& error() const { return error_; }

  // Drops everything buffered and any state (after a TLS switch). Errors are kept.
  void reset();

 private:
  Piece fail(ErrorKind kind, std::string detail);
  void compact();

  Limits limits_;
  std::string buf_;
  std::size_t start_ = 0;
  std::size_t scanned_ = 0;  // bytes after start_ known to hold no LF
  bool in_literal_ = false;
  bool continuing_ = false;  // a literal ended; the line is not complete yet
  std::uint64_t remaining_ = 0;
  Error error_;
};

// Finds a literal marker ({n}, {n+}, ~{n}) at the very end of a line segment, outside quoted
// strings. Returns: nullopt when there is none; otherwise the size, or an error flag through
// `bad` (size overflows or exceeds max_literal) with the size set to 0.
std::optional<std::uint64_t> imap_trailing_literal(std::string_view segment,
                                                   std::uint64_t max_literal, bool& bad);

}  // namespace mv
