// SPDX-License-Identifier: Apache-2.0
// Internationalised domain names as a mail client needs them: a domain typed with non-ASCII
// letters ("bücher.example") is looked up, put in the SMTP envelope and checked against
// certificates in its A-label form ("xn--bcher-kva.example", IDNA 2008, RFC 5890/5891 with
// Punycode, RFC 3492), and shown to the user in both forms. A small converter rather than libidn2:
// ASCII letters are lowered, and so are the upper-case letters of Latin-1, Latin Extended-A, Greek
// and Cyrillic; input is expected in NFC, as keyboards and terminals produce it (no normalisation
// tables). Refuses what IDNA refuses: invalid UTF-8, controls, spaces and symbols from ASCII in a
// label, empty labels, labels over 63 bytes, names over 253, hyphens at a label's ends, an
// "xn--" label that does not decode.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mv {

// RFC 3492 on code points; nullopt on overflow or invalid input.
std::optional<std::string> punycode_encode(const std::u32string& code_points);
std::optional<std::u32string> punycode_decode(std::string_view ascii);

// The A-label form of a domain ("bücher.example" → "xn--bcher-kva.example"), lower case. An ASCII
// name comes back lower-cased. nullopt when it is no valid domain name; why says in a few words.
std::optional<std::string> domain_to_ascii(std::string_view domain, std::string* why = nullptr);

// The U-label form for display: every "xn--" label decoded (left as it is when it does not
// decode).
std::string domain_to_unicode(std::string_view domain);

// True when any byte is outside ASCII.
constexpr bool has_non_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

}  // namespace mv
