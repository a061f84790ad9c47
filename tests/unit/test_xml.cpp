// SPDX-License-Identifier: Apache-2.0
// The bounded XML reader and writer: the parts of XML 1.0 discovery documents use, namespaces by
// prefix, the refusals (DOCTYPE internal subsets, entity declarations and undefined entities:
// billion laughs and XXE), malformed documents, every limit, and parse -> write -> parse
// stability. The reader takes whole documents, so there are no splits to test; fuzz_xml covers
// the input space.
#include <doctest/doctest.h>

#include <string>

#include "protocols/xml/document.hpp"

namespace {

std::string code_of(std::string_view text, const mv::Limits& limits = mv::kDefaultLimits) {
  mv::Error e;
  auto v = mv::parse_xml(text, e, limits);
  if (v) return "ok";
  return e.code;
}

std::string round_trip(std::string_view text) {
  mv::Error e;
  auto v = mv::parse_xml(text, e);
  REQUIRE_MESSAGE(v, e.detail);
  const std::string once = mv::write_xml(*v);
  auto again = mv::parse_xml(once, e);
  REQUIRE_MESSAGE(again, e.detail);
  CHECK(mv::write_xml(*again) == once);
  return once;
}

}  // namespace

TEST_CASE("xml: a Thunderbird autoconfig document with declaration, BOM, comments and a PI") {
  mv::Error e;
  auto root = mv::parse_xml(
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
      "<!-- ISPDB entry -->\n<?xml-stylesheet href=\"x\"?>\n"
      "<clientConfig version='1.1'>\n"
      "  <emailProvider id=\"example.com\">\n"
      "    <domain>example.com</domain>\n"
      "    <displayName>Example &amp; Co &#x263A; &#65;&lt;&gt;&quot;&apos;</displayName>\n"
      "    <incomingServer type=\"imap\"><hostname> imap.example.com </hostname>"
      "<port>993</port><!-- a comment --><socketType><![CDATA[SSL]]></socketType>"
      "</incomingServer>\n"
      "    <empty/>\n"
      "  </emailProvider>\n"
      "</clientConfig>\n<!-- after -->\n",
      e);
  REQUIRE_MESSAGE(root, e.detail);
  CHECK(root->name == "clientConfig");
  REQUIRE(root->attribute("version"));
  CHECK(*root->attribute("version") == "1.1");
  const mv::XmlElement* provider = root->child("emailProvider");
  REQUIRE(provider);
  CHECK(provider->child_text("domain") == "example.com");
  CHECK(provider->child_text("displayName") == "Example & Co \xE2\x98\xBA A<>\"'");
  const mv::XmlElement* imap = provider->child("incomingServer");
  REQUIRE(imap);
  CHECK(imap->child_text("hostname") == "imap.example.com");
  CHECK(imap->child_text("socketType") == "SSL");
  CHECK(imap->child_text("missing").empty());
  CHECK(provider->children_named("empty").size() == 1);
}

TEST_CASE("xml: namespaces resolved by prefix and default, as Autodiscover writes them") {
  mv::Error e;
  auto root = mv::parse_xml(
      R"(<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">)"
      R"(<a:Response xmlns:a="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">)"
      R"(<a:Account><a:Action>settings</a:Action></a:Account></a:Response></Autodiscover>)",
      e);
  REQUIRE_MESSAGE(root, e.detail);
  CHECK(root->namespace_uri ==
        "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006");
  const mv::XmlElement* response = root->child("Response");
  REQUIRE(response);
  CHECK(response->name == "a:Response");
  CHECK(response->namespace_uri ==
        "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a");
  REQUIRE(response->child("Account"));
  CHECK(response->child("Account")->child_text("Action") == "settings");
  CHECK(code_of("<a:x/>") == "xml.syntax");                    // unbound prefix
  CHECK(code_of("<x b:y='1'/>") == "xml.syntax");              // unbound attribute prefix
  CHECK(code_of("<x xml:lang='en'/>") == "ok");                // xml is always bound
  CHECK(code_of("<x xmlns:b='u'><b:y/></x><!---->") == "ok");  // scope ends with the element
  CHECK(code_of("<x><y xmlns:b='u'/><b:z/></x>") == "xml.syntax");
}

TEST_CASE("xml: line ends and white space are normalised as XML says") {
  mv::Error e;
  auto root = mv::parse_xml("<a v='x\r\ny\tz'>1\r\n2\r3<![CDATA[\r\n]]>&#13;</a>", e);
  REQUIRE(root);
  CHECK(*root->attribute("v") == "x y z");
  CHECK(root->text == "1\n2\n3\n\r");
}

TEST_CASE("xml: DOCTYPE internal subsets, entity declarations and undefined entities are refused") {
  // The billion laughs document: refused before anything is expanded.
  CHECK(code_of("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
                " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n"
                "<lolz>&lol2;</lolz>") == "xml.forbidden");
  // XXE: an external entity.
  CHECK(code_of("<!DOCTYPE foo [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]><foo>&xxe;</foo>") ==
        "xml.forbidden");
  CHECK(code_of("<!ENTITY x \"y\"><a/>") == "xml.forbidden");
  CHECK(code_of("<a>&nbsp;</a>") == "xml.forbidden");
  CHECK(code_of("<a b='&x;'/>") == "xml.forbidden");
  CHECK(code_of("<a><!DOCTYPE a></a>") == "xml.forbidden");
  // A DOCTYPE naming only an external id is allowed (nothing is fetched); a '[' in its quotes is
  // no subset.
  CHECK(code_of("<!DOCTYPE clientConfig SYSTEM \"a[b].dtd\"><clientConfig/>") == "ok");
  CHECK(code_of("<!DOCTYPE a><!DOCTYPE a><a/>") == "xml.syntax");
}

TEST_CASE("xml: malformed documents") {
  for (const char* bad : {
           "",                                                 // nothing
           "   ",                                              // white space only
           "text",                                             // no element
           "<a>",                                              // not closed
           "<a></b>",                                          // mismatched
           "<a><b></a></b>",                                   // crossed
           "<a/><b/>",                                         // two roots
           "<a/>text",                                         // trailing text
           "<a x=1/>",                                         // unquoted attribute
           "<a x='1' x='2'/>",                                 // duplicate attribute
           "<a x='1'y='2'/>",                                  // no space between attributes
           "<a x='<'/>",                                       // '<' in a value
           "<a x='1/>",                                        // unterminated value
           "<a>&amp</a>",                                      // unterminated reference
           "<a>&#0;</a>",                                      // NUL by reference
           "<a>&#xD800;</a>",                                  // surrogate by reference
           "<a>&#x110000;</a>",                                // past Unicode
           "<a>&#12a;</a>",                                    // bad digits
           "<a>]]></a>",                                       // CDATA end in text
           "<a><![CDATA[x</a>",                                // unterminated CDATA
           "<a><!-- x -- y --></a>",                           // -- in a comment
           "<a><!-- x</a>",                                    // unterminated comment
           "<a><?xml version='1.0'?></a>",                     // declaration not at the start
           " <?xml version='1.0'?><a/>",                       // nor after white space
           "<?xml version='1.0' encoding='ISO-8859-1'?><a/>",  // an encoding not read
           "<a>\x01</a>",                                      // control character
           "<a>\xC3\x28</a>",                                  // invalid UTF-8
           "<a>\xEF\xBF\xBE</a>",                              // U+FFFE
           "<a><!FOO></a>",                                    // unknown declaration
           "<1a/>",                                            // bad name
           "< a/>",                                            // space before the name
       }) {
    CAPTURE(bad);
    const std::string code = code_of(bad);
    CHECK((code == "xml.syntax" || code == "xml.forbidden"));
  }
  mv::Error e;
  CHECK_FALSE(mv::parse_xml("<a>\n<b></c></a>", e));
  CHECK(e.code == "xml.syntax");
  CHECK(e.category == mv::Category::protocol);
  CHECK(e.detail.find("byte 10") != std::string::npos);  // just after the bad end tag's name
}

TEST_CASE("xml: every limit") {
  mv::Limits small;
  small.max_xml_document = 64;
  CHECK(code_of(std::string(65, ' ') + "<a/>", small) == "xml.limit");
  CHECK(code_of(std::string(60, ' ') + "<a/>", small) == "ok");

  small = {};
  small.max_xml_depth = 3;
  CHECK(code_of("<a><b><c/></b></a>", small) == "ok");
  CHECK(code_of("<a><b><c><d/></c></b></a>", small) == "xml.limit");

  small = {};
  small.max_xml_attributes = 2;
  CHECK(code_of("<a x='1' y='2'/>", small) == "ok");
  CHECK(code_of("<a x='1' y='2' z='3'/>", small) == "xml.limit");

  small = {};
  small.max_xml_text = 4;
  CHECK(code_of("<a>1234</a>", small) == "ok");
  CHECK(code_of("<a>12345</a>", small) == "xml.limit");
  CHECK(code_of("<a>12<b/>345</a>", small) == "xml.limit");  // one element's text, in pieces
  CHECK(code_of("<a><![CDATA[12345]]></a>", small) == "xml.limit");
  CHECK(code_of("<a>&amp;&amp;&amp;&amp;&amp;</a>", small) == "xml.limit");
  CHECK(code_of("<a x='12345'/>", small) == "xml.limit");

  small = {};
  small.max_xml_elements = 3;
  CHECK(code_of("<a><b/><c/></a>", small) == "ok");
  CHECK(code_of("<a><b/><c/><d/></a>", small) == "xml.limit");

  // The defaults hold a deep document back before the stack could suffer.
  std::string deep;
  for (int i = 0; i < 10000; ++i)
    deep += "<a>";
  CHECK(code_of(deep) == "xml.limit");
}

TEST_CASE("xml: parse -> write -> parse is stable, and the writer escapes") {
  CHECK(round_trip("<a x=\"1 &amp; &lt;2&gt; &quot;q&quot; 'a'\">t &amp; &lt;u&gt;<b/>more</a>") ==
        "<a x=\"1 &amp; &lt;2&gt; &quot;q&quot; 'a'\">t &amp; &lt;u&gt;more<b/></a>");
  CHECK(round_trip("<p:a xmlns:p='urn:x'>&#13;&#9;<p:b y='&#10;'/></p:a>") ==
        "<p:a xmlns:p=\"urn:x\">&#13;\t<p:b y=\"&#10;\"/></p:a>");
  mv::XmlElement built;
  built.name = "E";
  built.attributes.push_back({"k", "v\"<&"});
  built.text = "a<b>&c";
  CHECK(mv::write_xml(built) == "<E k=\"v&quot;&lt;&amp;\">a&lt;b&gt;&amp;c</E>");
}
