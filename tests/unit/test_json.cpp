// SPDX-License-Identifier: Apache-2.0
// The bounded JSON reader and writer: the grammar of RFC 8259, escapes and surrogate pairs,
// strict UTF-8, duplicate keys refused, every bound, and parse -> write -> parse stability.
#include <doctest/doctest.h>

#include <string>

#include "protocols/json/value.hpp"

namespace {

std::string code_of(std::string_view text, const mv::Limits& limits = mv::kDefaultLimits) {
  mv::Error e;
  auto v = mv::parse_json(text, e, limits);
  if (v) return "ok";
  return e.code;
}

}  // namespace

TEST_CASE("json: an OAuth2 token answer") {
  mv::Error e;
  auto v = mv::parse_json(
      R"({"token_type":"Bearer","scope":"https://outlook.office.com/IMAP.AccessAsUser.All",)"
      R"( "expires_in":3599,"ext_expires_in":"3599","access_token":"EwB...","nested":{"a":[1,-2.5e3,true,false,null]}})",
      e);
  REQUIRE(v);
  CHECK(v->string_at("token_type") == "Bearer");
  CHECK(v->integer_at("expires_in") == 3599);
  CHECK(v->integer_at("ext_expires_in") == 3599);  // digits in a string, as some providers send
  CHECK_FALSE(v->integer_at("token_type"));
  CHECK_FALSE(v->string_at("missing"));
  const mv::JsonValue* nested = v->get("nested");
  REQUIRE(nested);
  REQUIRE(nested->get("a"));
  CHECK(nested->get("a")->items().size() == 5);
  CHECK(nested->get("a")->items()[1].text() == "-2.5e3");
}

TEST_CASE("json: escapes, surrogate pairs, UTF-8") {
  mv::Error e;
  auto v = mv::parse_json(R"(["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20ac", "\ud83d\ude00", "é€😀"])", e);
  REQUIRE(v);
  CHECK(v->items()[0].text() == "a\"b\\c/d\b\f\n\r\t");
  CHECK(v->items()[1].text() == "\xc3\xa9\xe2\x82\xac");
  CHECK(v->items()[2].text() == "\xf0\x9f\x98\x80");
  CHECK(v->items()[3].text() == "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  CHECK(code_of(R"(["\ud83d"])") == "json.utf8");           // lone high surrogate
  CHECK(code_of(R"(["\ude00"])") == "json.utf8");           // lone low surrogate
  CHECK(code_of(R"(["\ud83d\u0041"])") == "json.utf8");     // high + non-low
  CHECK(code_of("[\"\xc3\x28\"]") == "json.utf8");          // bad continuation
  CHECK(code_of("[\"\xc0\xaf\"]") == "json.utf8");          // overlong
  CHECK(code_of("[\"\xed\xa0\x80\"]") == "json.utf8");      // encoded surrogate
  CHECK(code_of("[\"\xf4\x90\x80\x80\"]") == "json.utf8");  // above U+10FFFF
  CHECK(code_of("[\"a\tb\"]") == "json.syntax");            // raw control character
  CHECK(code_of(R"(["\x"])") == "json.syntax");
  CHECK(code_of(R"(["\u12G4"])") == "json.syntax");
}

TEST_CASE("json: grammar errors") {
  for (const char* bad :
       {"",   " ",  "{",   "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",  "01",     "1.",  "-",
        "1e", "+1", "tru", "nul",  "[1 2]",      "{} {}",     "\"open", "[\"a\"", "NaN", "'a'"}) {
    INFO(bad);
    CHECK(code_of(bad) == "json.syntax");
  }
  CHECK(code_of("0") == "ok");
  CHECK(code_of(" -0.5E+2 ") == "ok");
  CHECK(code_of("\"\"") == "ok");
}

TEST_CASE("json: duplicate keys are refused, deterministically") {
  CHECK(code_of(R"({"access_token":"a","access_token":"b"})") == "json.duplicate_key");
  CHECK(code_of(R"({"a":{"b":1,"b":2}})") == "json.duplicate_key");
  CHECK(code_of(R"([{"a":1},{"a":2}])") == "ok");
}

TEST_CASE("json: bounds on size, depth and count") {
  mv::Limits limits;
  limits.max_json_depth = 3;
  CHECK(code_of("[[[1]]]", limits) == "ok");
  CHECK(code_of("[[[[1]]]]", limits) == "json.depth");
  CHECK(code_of(std::string(100000, '['), {}) == "json.depth");
  limits = {};
  limits.max_json_bytes = 10;
  CHECK(code_of("\"0123456789\"", limits) == "json.too_large");
  limits.max_json_bytes = 12;  // the document's own size is accepted
  CHECK(code_of("\"0123456789\"", limits) == "ok");
  limits = {};
  limits.max_json_values = 3;
  CHECK(code_of("[1,2]", limits) == "ok");
  CHECK(code_of("[1,2,3]", limits) == "json.too_large");
}

TEST_CASE("json: write then parse gives the same value") {
  mv::JsonValue o = mv::JsonValue::make_object();
  o.set("s", mv::JsonValue::make_string("line\nquote\" back\\ ctl\x01 é"));
  o.set("n", mv::JsonValue::make_number(-42));
  o.set("b", mv::JsonValue::make_bool(true));
  o.set("n", mv::JsonValue::make_number(7));  // set replaces
  const std::string text = mv::write_json(o);
  CHECK(text == "{\"s\":\"line\\nquote\\\" back\\\\ ctl\\u0001 é\",\"n\":7,\"b\":true}");
  mv::Error e;
  auto back = mv::parse_json(text, e);
  REQUIRE(back);
  CHECK(mv::write_json(*back) == text);
  CHECK(back->string_at("s") == "line\nquote\" back\\ ctl\x01 é");
}
