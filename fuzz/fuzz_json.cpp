// SPDX-License-Identifier: Apache-2.0
// The bounded JSON reader: the first byte chooses small limits. Asserts: a document it accepts
// writes back to text that parses again to the same text (parse -> write -> parse is stable);
// every error is one of the documented "json." codes; accepted strings are valid UTF-8 (checked by
// parsing them again as a JSON string); the token-answer reader on top never crashes, never
// echoes a 200 answer's body in its error, grants only Bearer tokens that exist, finds every
// provider code of a refusal; a device authorization has a code, a lifetime and an interval of
// 1-60 s.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "protocols/common/ascii.hpp"
#include "protocols/json/value.hpp"
#include "protocols/oauth2/responses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte();
  mv::Limits limits;
  if (mode & 1u) {
    limits.max_json_depth = 4;
    limits.max_json_values = 16;
    limits.max_json_bytes = 256;
  }
  const std::string_view text = in.rest();
  mv::Error error;
  const auto value = mv::parse_json(text, error, limits);
  if (!value) {
    const std::string& code = error.code;
    FUZZ_CHECK(code == "json.syntax" || code == "json.depth" || code == "json.too_large" ||
                   code == "json.duplicate_key" || code == "json.utf8",
               code);
  } else {
    FUZZ_CHECK(!error, "a value and an error");
    const std::string once = mv::write_json(*value);
    mv::Error again_error;
    const auto again = mv::parse_json(once, again_error);  // default limits: writing adds bytes
    FUZZ_CHECK(again.has_value(), once + " -> " + again_error.code);
    FUZZ_CHECK(mv::write_json(*again) == once, "parse -> write -> parse is not stable");
  }
  mv::HttpResponse response;
  response.status = (mode & 2u) ? 200 : 400;
  response.body = std::string(text);
  const mv::TokenAnswer answer = mv::read_token_answer(response);
  FUZZ_CHECK(
      answer.grant.has_value() + answer.refusal.has_value() + static_cast<bool>(answer.error) == 1,
      "a token answer is exactly one of grant, refusal, error");
  if (response.status == 200 && answer.error)
    FUZZ_CHECK(answer.error.server_says.empty(), "a 200 answer's body echoed in an error");
  if (answer.grant) {
    FUZZ_CHECK(!answer.grant->access_token.empty(), "a grant without a token");
    FUZZ_CHECK(answer.grant->token_type.empty() || mv::iequals(answer.grant->token_type, "Bearer"),
               "a grant of a non-Bearer token");
    FUZZ_CHECK(answer.grant->expires_in >= 0, "negative lifetime");
  }
  if (answer.refusal) {
    for (std::int64_t c : answer.refusal->provider_codes)
      FUZZ_CHECK(answer.refusal->has_provider_code(c), "a provider code not found");
  }
  const mv::DeviceAnswer device = mv::read_device_answer(response);
  if (device.authorization) {
    FUZZ_CHECK(device.authorization->interval >= 1 && device.authorization->interval <= 60,
               "polling interval out of bounds");
    FUZZ_CHECK(!device.authorization->device_code.empty() && device.authorization->expires_in > 0,
               "an unusable device authorization");
  }
  return 0;
}
