// SPDX-License-Identifier: Apache-2.0
// protocols/imap/mutf7: folder names in modified UTF-7 (RFC 3501 5.1.3), as Exchange and Dovecot
// send localised names.
#include <doctest/doctest.h>

#include "protocols/imap/mutf7.hpp"

using mv::decode_mutf7;
using mv::folder_display_name;

TEST_CASE("mutf7/decodes what servers send") {
  CHECK(decode_mutf7("Gel&APY-schte Elemente") == "Gel\u00F6schte Elemente");
  CHECK(decode_mutf7("&AMk-l&AOk-ments envoy&AOk-s") == "\u00C9l\u00E9ments envoy\u00E9s");
  // RFC 3501's own example: "~peter/mail/台北/日本語".
  CHECK(decode_mutf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-") ==
        "~peter/mail/\u53F0\u5317/\u65E5\u672C\u8A9E");
  CHECK(decode_mutf7("Tom &- Jerry") == "Tom & Jerry");
  CHECK(decode_mutf7("INBOX") == "INBOX");
  // A character outside the BMP: a surrogate pair (U+1F600).
  CHECK(decode_mutf7("&2D3eAA-") == "\U0001F600");
  CHECK(decode_mutf7("&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-") ==
        "\u041E\u0442\u043F\u0440\u0430\u0432\u043B\u0435\u043D\u043D\u044B\u0435");
}

TEST_CASE("mutf7/invalid names are not decoded into something else") {
  for (const char* bad : {"&APY", "&A-", "&AGE-", "&2D3-", "&3gA-", "&AP!-", "caf\xC3\xA9"})
    CHECK_FALSE_MESSAGE(decode_mutf7(bad), bad);
  // For display such a name stays as the server sent it (e.g. UTF-8 sent unasked).
  CHECK(folder_display_name("caf\xC3\xA9", false) == "caf\xC3\xA9");
  CHECK(folder_display_name("Gel&APY-scht", false) == "Gel\u00F6scht");
  // Under UTF8=ACCEPT a name is UTF-8 as sent: "&" is a character, not a shift.
  CHECK(folder_display_name("Gel&APY-scht", true) == "Gel&APY-scht");
  CHECK(folder_display_name("Tom &- Jerry", true) == "Tom &- Jerry");
}
