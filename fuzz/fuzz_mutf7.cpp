// SPDX-License-Identifier: Apache-2.0
// Modified UTF-7 folder names (protocols/imap/mutf7.hpp), as a server's LIST sends them. Asserts:
// a decoded name is valid UTF-8; printable ASCII without '&' decodes to itself; "&-" is '&';
// folder_display_name gives the decoded name when there is one and the raw bytes otherwise (always
// the raw bytes under UTF8=ACCEPT);
// decoding is deterministic.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "protocols/imap/mutf7.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view name(reinterpret_cast<const char*>(data), size);
  const auto decoded = mv::decode_mutf7(name);
  const std::string display = mv::folder_display_name(name, false);
  FUZZ_CHECK(mv::folder_display_name(name, true) == name, "a UTF-8 (UTF8=ACCEPT) name changed");
  if (!decoded) {
    FUZZ_CHECK(display == name, "an undecodable name is not shown as sent");
    return 0;
  }
  FUZZ_CHECK(display == *decoded, "display name is not the decoded name");
  FUZZ_CHECK(mv::fuzz::valid_utf8(*decoded), "decoded name is not UTF-8");
  FUZZ_CHECK(mv::decode_mutf7(name) == decoded, "decoding is not deterministic");
  bool plain = true;
  for (char c : name)
    plain = plain && c != '&' && c >= 0x20 && c < 0x7f;
  if (plain) FUZZ_CHECK(*decoded == name, "plain ASCII changed by decoding");
  const std::string amp = std::string(name) + "&-";
  const auto with_amp = mv::decode_mutf7(amp);
  FUZZ_CHECK(with_amp && *with_amp == *decoded + "&", "\"&-\" is not '&'");
  return 0;
}
