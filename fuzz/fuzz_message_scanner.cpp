// SPDX-License-Identifier: Apache-2.0
// MessageScanner: the whole message and a chunked feed give the same ScannedMessage; bytes counts
// every byte; a matched token is the wanted one; a scanner reused after finish() gives the same
// result again. Option bytes: digest_body, the wanted token's length (its bytes follow), chunking.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/common/message_scanner.hpp"

namespace {

using mv::fuzz::put;

std::string record(const mv::ScannedMessage& m) {
  std::string s;
  put(s, m.token ? *m.token : std::string("<none>"));
  put(s, m.token_matched ? "matched" : "-");
  put(s, m.message_id);
  put(s, m.body_digest);
  put(s, std::to_string(m.bytes));
  put(s, m.header_ended ? "ended" : "-");
  put(s, m.header_truncated ? "truncated" : "-");
  return s;
}

std::string scan(mv::MessageScanner& scanner, const std::vector<std::string_view>& chunks) {
  for (std::string_view c : chunks)
    scanner.update(c);
  return record(scanner.finish());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t opt = in.byte();
  const std::uint8_t seed = in.byte();
  mv::MessageScanOptions options;
  options.digest_body = (opt & 1u) == 0;
  options.wanted_token = std::string(in.bytes((opt >> 1) % 16));
  const std::string_view message = in.rest();

  mv::MessageScanner scanner(options);
  for (std::string_view c : {message})
    scanner.update(c);
  const mv::ScannedMessage result = scanner.finish();
  FUZZ_CHECK(result.bytes == message.size(), "bytes is not the message size");
  if (result.token_matched) FUZZ_CHECK(!options.wanted_token.empty(), "matched an empty token");
  if (result.token) {
    FUZZ_CHECK(result.token->size() <= mv::kDefaultLimits.max_scanned_field,
               "token longer than the field bound");
  }
  FUZZ_CHECK(result.message_id.size() <= mv::kDefaultLimits.max_scanned_field,
             "Message-ID above the bound");
  if (!options.digest_body) FUZZ_CHECK(result.body_digest.empty(), "digest without digest_body");
  if (options.digest_body) FUZZ_CHECK(result.body_digest.size() == 64, "digest is not SHA-256 hex");
  const std::string whole = record(result);

  // The same scanner starts over after finish().
  FUZZ_CHECK(scan(scanner, mv::fuzz::split(message, seed)) == whole,
             "chunking (or reuse after finish) changed the result");
  mv::MessageScanner fresh(options);
  FUZZ_CHECK(scan(fresh, mv::fuzz::split(message, static_cast<std::uint8_t>(seed ^ 0x55))) == whole,
             "chunking changed the result");
  return 0;
}
