// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>

#include "protocols/common/base64.hpp"

TEST_CASE("common/base64: RFC 4648 section 10 vectors both ways") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CHECK(mv::base64_encode(plain) == encoded);
    auto decoded = mv::base64_decode(encoded);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == plain);
  }
}

TEST_CASE("common/base64: binary round trip, NUL bytes included") {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  for (std::size_t len = 0; len <= all.size(); len += 37) {
    const std::string in = all.substr(0, len);
    auto back = mv::base64_decode(mv::base64_encode(in));
    REQUIRE(back.has_value());
    CHECK(*back == in);
  }
  CHECK(mv::base64_encode(std::string("\0u\0p", 4)) == "AHUAcA==");
}

TEST_CASE("common/base64: strict decoding refuses malformed input") {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Zm9v\r\n", "Zm 9v", " Zm9v",
                          "Zm9v=", "Z===", "====", "Zg==Zg==", "Zm-v", "Zm_v", "Zm9v\n", "*m9v"}) {
    INFO(bad);
    CHECK_FALSE(mv::base64_decode(bad).has_value());
  }
}
