// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/base64.hpp"

#include <mbedtls/base64.h>

namespace mv {

namespace {

bool is_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// mbedTLS tolerates line breaks and spaces; SASL does not, so the shape is checked here first.
bool strictly_valid(std::string_view text) {
  if (text.size() % 4 != 0) return false;
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=')
    ++pad;
  for (std::size_t i = 0; i < text.size() - pad; ++i) {
    if (!is_alphabet(text[i])) return false;
  }
  return true;
}

}  // namespace

std::string base64_encode(std::string_view data) {
  if (data.empty()) return {};
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  std::size_t written = 0;
  const int rc =
      mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &written,
                            reinterpret_cast<const unsigned char*>(data.data()), data.size());
  if (rc != 0) return {};  // cannot happen: the buffer is sized for the output and its NUL
  out.resize(written);
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.empty()) return std::string{};
  if (!strictly_valid(text)) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  std::size_t written = 0;
  const int rc =
      mbedtls_base64_decode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &written,
                            reinterpret_cast<const unsigned char*>(text.data()), text.size());
  if (rc != 0) return std::nullopt;
  out.resize(written);
  return out;
}

}  // namespace mv
