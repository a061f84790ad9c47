// SPDX-License-Identifier: Apache-2.0
// protocols/common/idna: Punycode (RFC 3492's own samples) and the A-label / U-label forms of
// the domains users type.
#include <doctest/doctest.h>

#include "protocols/common/idna.hpp"

using mv::domain_to_ascii;
using mv::domain_to_unicode;
using mv::punycode_decode;
using mv::punycode_encode;

TEST_CASE("idna/RFC 3492 samples encode and decode") {
  struct Sample {
    std::u32string points;
    const char* encoded;
  };
  const Sample samples[] = {
      // 7.1 (A) Arabic (Egyptian)
      {U"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631"
       U"\u0628\u064A\u061F",
       "egbpdaj6bu4bxfgehfvwxn"},
      // 7.1 (B) Chinese (simplified)
      {U"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587", "ihqwcrb4cv8a8dqg056pqjye"},
      // 7.1 (L) mixed ASCII and Japanese: 3<nen>B<gumi><kinpachi><sensei>
      {U"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F", "3B-ww4c5e180e575a65lsy2b"},
      {U"b\u00FCcher", "bcher-kva"},
      {U"m\u00FCnchen", "mnchen-3ya"},
  };
  for (const Sample& s : samples) {
    const auto enc = punycode_encode(s.points);
    REQUIRE(enc);
    CHECK(*enc == s.encoded);
    const auto dec = punycode_decode(s.encoded);
    REQUIRE(dec);
    CHECK(*dec == s.points);
  }
}

TEST_CASE("idna/malformed Punycode is refused, not guessed") {
  for (const char* bad : {"bcher-kv!", "99999999999", "a-\x80", "zzzzzzzzzzzzzzzzzzzzz"})
    CHECK_FALSE_MESSAGE(punycode_decode(bad), bad);
}

TEST_CASE("idna/domains to A-labels and back") {
  CHECK(domain_to_ascii("b\u00FCcher.example") == "xn--bcher-kva.example");
  CHECK(domain_to_ascii("B\u00DCCHER.Example") == "xn--bcher-kva.example");  // lower-cased
  CHECK(domain_to_ascii("mail.Example.COM.") == "mail.example.com");
  CHECK(domain_to_ascii("xn--bcher-kva.example") == "xn--bcher-kva.example");
  CHECK(domain_to_ascii("\u043F\u0440\u0438\u043C\u0435\u0440.\u0440\u0444") ==
        "xn--e1afmkfd.xn--p1ai");
  CHECK(domain_to_unicode("xn--bcher-kva.example") == "b\u00FCcher.example");
  CHECK(domain_to_unicode("mail.example.com") == "mail.example.com");
  CHECK(domain_to_unicode("xn--!!.example") == "xn--!!.example");  // left as it is
}

TEST_CASE("idna/what is no domain name says why") {
  struct Bad {
    std::string domain;
    const char* why;
  };
  const Bad bad[] = {
      {"a..b", "empty label"},
      {"-a.example", "hyphen"},
      {"a_b.example", "not allowed"},
      {"b\xC3\xBC\xC3.example", "UTF-8"},
      {"caf\xC0\xA9.example", "UTF-8"},  // overlong
      {"a\u00A0b.example", "space"},
      {"xn--zzzz.example", "does not decode"},
      {"xn--abc.example", "Unicode form"},        // decodes to a C1 control (found by fuzz_idna)
      {"xn--bcher-2pa.example", "Unicode form"},  // an upper-case U-label
      {"ab--cd.example", "third and fourth"},
      {std::string(64, 'a') + ".example", "63"},
      {std::string(200, 'a').insert(60, ".").insert(120, ".").insert(180, ".") + "." +
           std::string(60, 'b'),
       "253"},
  };
  for (const Bad& b : bad) {
    std::string why;
    CHECK_FALSE_MESSAGE(domain_to_ascii(b.domain, &why), b.domain);
    CHECK_MESSAGE(why.find(b.why) != std::string::npos, b.domain << ": " << why);
  }
}
