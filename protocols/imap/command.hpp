// SPDX-License-Identifier: Apache-2.0
// Building IMAP commands (RFC 9051 4.3, RFC 7888): strings sent as atoms when they can be, else
// quoted, else as literals (non-synchronising with LITERAL+, or LITERAL- up to its 4096 bytes),
// split into the parts a synchronising literal makes the client wait for; and the tag generator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mv {

// Tag sequence: splitmix64 over the seed, each tag "M" + 10 characters of [0-9A-Z]. Tests make the
// same generator with the same seed to predict the client's tags. No clock or randomness inside.
class ImapTagGenerator {
 public:
  explicit ImapTagGenerator(std::uint64_t seed) : state_(seed) {}
  std::string next();

 private:
  std::uint64_t state_;
};

// A command under construction: parts[0] goes out at once, each later part after a "+".
struct ImapCommand {
  std::vector<std::string> parts{std::string()};
  bool nonsync_ok = false;     // LITERAL+ (any size)
  bool nonsync_small = false;  // LITERAL- (up to kLiteralMinusMax bytes)

  // RFC 7888 5: LITERAL- allows non-synchronising literals of at most this many bytes (a protocol
  // constant, not a bound of ours).
  static constexpr std::size_t kLiteralMinusMax = 4096;

  ImapCommand& text(std::string_view t);
  // An astring: atom, quoted string or literal, whichever the value allows.
  ImapCommand& astring(std::string_view v);
  bool one_line() const { return parts.size() == 1; }
};

}  // namespace mv
