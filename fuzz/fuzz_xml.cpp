// SPDX-License-Identifier: Apache-2.0
// The bounded XML reader and the two settings documents read over it. The first byte chooses
// small limits. Asserts: every error is one of the documented "xml." (or, for the documents,
// "discover.") codes; a document it accepts writes back to text that parses again to the same
// text (parse -> write -> parse is stable) and stays within the limits it was read with (depth,
// elements); every server the autoconfig and Autodiscover readers return has a normalised host
// name and a port in 1..65535.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "protocols/autoconfig/autodiscover.hpp"
#include "protocols/autoconfig/config_v11.hpp"
#include "protocols/xml/document.hpp"

namespace {

bool xml_code(const std::string& code) {
  return code == "xml.syntax" || code == "xml.forbidden" || code == "xml.limit";
}

void measure(const mv::XmlElement& el, std::size_t depth, std::size_t& max_depth,
             std::size_t& count) {
  ++count;
  if (depth > max_depth) max_depth = depth;
  for (const mv::XmlElement& c : el.children)
    measure(c, depth + 1, max_depth, count);
}

void check_servers(const std::vector<mv::DiscoveredServer>& servers) {
  for (const mv::DiscoveredServer& s : servers) {
    FUZZ_CHECK(mv::normalize_host(s.host) == s.host, s.host);
    FUZZ_CHECK(s.port >= 1 && s.port <= 65535, s.host);
    FUZZ_CHECK(s.protocol == "imap" || s.protocol == "pop3" || s.protocol == "smtp", s.protocol);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte();
  mv::Limits limits;
  if (mode & 1u) {
    limits.max_xml_document = 512;
    limits.max_xml_depth = 4;
    limits.max_xml_attributes = 3;
    limits.max_xml_text = 32;
    limits.max_xml_elements = 16;
  }
  const std::string_view text = in.rest();
  mv::Error error;
  const auto root = mv::parse_xml(text, error, limits);
  if (!root) {
    FUZZ_CHECK(xml_code(error.code), error.code);
  } else {
    FUZZ_CHECK(!error, "a tree and an error");
    std::size_t depth = 0, count = 0;
    measure(*root, 1, depth, count);
    FUZZ_CHECK(depth <= limits.max_xml_depth, "deeper than the limit");
    FUZZ_CHECK(count <= limits.max_xml_elements, "more elements than the limit");
    const std::string once = mv::write_xml(*root);
    mv::Error again_error;
    const auto again = mv::parse_xml(once, again_error);  // default limits: writing adds bytes
    FUZZ_CHECK(again.has_value(), once + " -> " + again_error.code);
    FUZZ_CHECK(mv::write_xml(*again) == once, "parse -> write -> parse is not stable");
  }
  mv::Error config_error;
  if (const auto config = mv::parse_client_config(text, "me@example.com", config_error, limits))
    check_servers(config->servers);
  else
    FUZZ_CHECK(xml_code(config_error.code) || config_error.code == "discover.document",
               config_error.code);
  mv::Error answer_error;
  if (const auto answer = mv::parse_autodiscover_response(text, answer_error, limits))
    check_servers(answer->servers);
  else
    FUZZ_CHECK(xml_code(answer_error.code) || answer_error.code == "discover.document",
               answer_error.code);
  return 0;
}
