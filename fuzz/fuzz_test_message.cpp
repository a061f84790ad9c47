// SPDX-License-Identifier: Apache-2.0
// The test message composer (TestMessage, protocols/common/message.hpp) with user-typed fields.
// Input: byte 0 the body size (times 64), byte 1 the read chunking seed, then from, to, token,
// date and in_reply_to, each with a one-byte length. Asserts: a refusal is one of the documented
// usage codes; an accepted message streams exactly size() bytes in any chunking, the same bytes
// again after rewind(), and reading it back with MessageScanner (as a server's copy would be)
// finds its token, its Message-ID, a header that ends, and the body digest compose() announced.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "protocols/common/message.hpp"
#include "protocols/common/message_scanner.hpp"

namespace {

std::string read_all(mv::TestMessage& m, std::uint8_t seed) {
  std::string out;
  std::uint32_t state = 0x9e3779b9u ^ seed;
  char buf[4096];
  for (;;) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    const std::size_t cap = seed == 0 ? sizeof buf : 1 + state % sizeof buf;
    const std::size_t n = m.read(buf, cap);
    FUZZ_CHECK(n <= cap, "read more than asked");
    if (n == 0) break;
    out.append(buf, n);
    FUZZ_CHECK(out.size() <= m.size(), "read past size()");
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  mv::MessageSpec spec;
  spec.body_size = std::size_t{in.byte()} * 64;
  const std::uint8_t seed = in.byte();
  spec.from = std::string(in.bytes(in.byte()));
  spec.to = std::string(in.bytes(in.byte()));
  spec.token = std::string(in.bytes(in.byte()));
  spec.date = std::string(in.bytes(in.byte()));
  spec.in_reply_to = std::string(in.bytes(in.byte()));

  mv::Error error;
  auto message = mv::TestMessage::compose(spec, error);
  if (!message) {
    const std::string& code = error.code;
    FUZZ_CHECK(code == "usage.bad_header_value" || code == "usage.bad_token" ||
                   code == "usage.bad_address" || code == "usage.bad_date" ||
                   code == "usage.body_too_large",
               code);
    return 0;
  }
  FUZZ_CHECK(!error, "a message and an error");
  FUZZ_CHECK(message->token() == spec.token, "token changed");
  const std::string text = read_all(*message, seed);
  FUZZ_CHECK(text.size() == message->size(), "size() is not what read() gives");
  message->rewind();
  FUZZ_CHECK(read_all(*message, 0) == text, "rewind() reads other bytes");

  mv::MessageScanOptions options;
  options.wanted_token = spec.token;
  mv::MessageScanner scanner(options);
  scanner.update(text);
  const mv::ScannedMessage scanned = scanner.finish();
  FUZZ_CHECK(scanned.header_ended && !scanned.header_truncated, "header not read back");
  FUZZ_CHECK(scanned.token && *scanned.token == spec.token && scanned.token_matched, spec.token);
  FUZZ_CHECK(scanned.message_id == message->message_id(), scanned.message_id);
  FUZZ_CHECK(scanned.body_digest == message->body_digest(), "body digest differs");
  FUZZ_CHECK(scanned.bytes == text.size(), "scanned byte count");
  const std::string subject =
      "\r\nSubject: " + std::string(spec.in_reply_to.empty() ? "" : "Re: ") +
      mv::test_subject(spec.token) + "\r\n";
  FUZZ_CHECK(text.find(subject) != std::string::npos, "subject");
  return 0;
}
