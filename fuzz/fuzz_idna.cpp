// SPDX-License-Identifier: Apache-2.0
// Internationalised domain names and Punycode (protocols/common/idna.hpp). Byte 0 chooses what the
// rest is: even, a domain as typed; odd, code points (3 bytes each, modulo U+110000) for Punycode.
// Asserts: an accepted domain's A-label form is lower-case LDH ASCII of at most 253 bytes with
// labels of at most 63, is its own A-label form, and its U-label form (domain_to_unicode) maps
// back to it; a refusal says why; punycode_decode(punycode_encode(x)) == x; the decoder never
// crashes on any bytes.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "protocols/common/idna.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte();
  const std::string_view rest = in.rest();

  if (mode & 1u) {
    std::u32string points;
    for (std::size_t i = 0; i + 3 <= rest.size(); i += 3) {
      const auto b = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(rest[i + k]));
      };
      points.push_back(static_cast<char32_t>(((b(0) << 16) | (b(1) << 8) | b(2)) % 0x110000));
    }
    if (const auto encoded = mv::punycode_encode(points)) {
      for (char c : *encoded)
        FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80, "Punycode output not ASCII");
      const auto decoded = mv::punycode_decode(*encoded);
      // The decoder refuses surrogates and overlong output, which the encoder does not check.
      if (decoded) FUZZ_CHECK(*decoded == points, "Punycode decode(encode(x)) != x");
    }
    (void)mv::punycode_decode(rest);
    return 0;
  }

  std::string why;
  const auto ascii = mv::domain_to_ascii(rest, &why);
  (void)mv::domain_to_unicode(rest);
  if (!ascii) {
    FUZZ_CHECK(!why.empty(), "a refusal without a reason");
    return 0;
  }
  FUZZ_CHECK(ascii->size() <= 253, *ascii);
  std::size_t label = 0;
  for (char c : *ascii) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    FUZZ_CHECK(ok, *ascii);
    label = c == '.' ? 0 : label + 1;
    FUZZ_CHECK(label <= 63, *ascii);
  }
  const auto again = mv::domain_to_ascii(*ascii, &why);
  FUZZ_CHECK(again && *again == *ascii, *ascii + " is not its own A-label form: " + why);
  const std::string unicode = mv::domain_to_unicode(*ascii);
  const auto back = mv::domain_to_ascii(unicode, &why);
  FUZZ_CHECK(back && *back == *ascii, *ascii + " -> " + unicode + " does not map back: " + why);
  return 0;
}
