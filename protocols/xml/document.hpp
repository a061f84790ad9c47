// SPDX-License-Identifier: Apache-2.0
// A bounded XML 1.0 reader for the small documents of settings discovery (Thunderbird autoconfig,
// Microsoft Autodiscover), and the writer that serialises the same tree back (the Autodiscover
// request; parse -> write -> parse checks). Sans-I/O and whole-document: the HTTP layer has
// already collected the bounded body. Every part is bounded by Limits (document size, depth,
// attributes per element, one text or attribute value, elements in all), so memory never grows
// past a fixed multiple of the document size.
//
// Takes: the UTF-8 byte order mark, the XML declaration (UTF-8 or US-ASCII only), comments,
// processing instructions (skipped), elements, attributes in either quote, text, CDATA, the five
// predefined entities and numeric character references; namespace prefixes resolved to their
// URI (what Autodiscover needs: elements are matched by local name and namespace).
// Refuses, with a stable code: a DOCTYPE with an internal subset or any entity declaration
// ("xml.forbidden": billion laughs, XXE: nothing is ever expanded or fetched), an undefined
// entity, invalid UTF-8 or characters XML does not allow, unbound prefixes, mismatched tags,
// trailing content ("xml.syntax"), and any limit exceeded ("xml.limit"). Error details carry
// the byte offset. No exceptions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace mv {

struct XmlAttribute {
  std::string name;  // as written, prefix included ("xmlns:a", "type")
  std::string value;
};

struct XmlElement {
  std::string name;           // as written ("a:Account")
  std::string namespace_uri;  // resolved from the prefix (or the default namespace); may be empty
  std::vector<XmlAttribute> attributes;
  std::string text;  // the character data directly inside, CDATA included, in order
  std::vector<XmlElement> children;

  std::string_view local_name() const;  // the name after any prefix
  // The first child with this local name, or nullptr.
  const XmlElement* child(std::string_view local) const;
  // Every child with this local name, in document order.
  std::vector<const XmlElement*> children_named(std::string_view local) const;
  // The text of the first such child with white space trimmed; empty when absent.
  std::string_view child_text(std::string_view local) const;
  // An attribute's value by its name as written, or nullptr.
  const std::string* attribute(std::string_view name) const;
};

// The root element, or nullopt with error set (protocol category, "xml.*").
std::optional<XmlElement> parse_xml(std::string_view document, Error& error,
                                    const Limits& limits = kDefaultLimits);

// The element as XML text (no declaration), text and attribute values escaped; namespace
// declarations are ordinary attributes, so they come back as they were.
std::string write_xml(const XmlElement& element);

// Text with leading and trailing XML white space removed.
std::string_view xml_trim(std::string_view text);

}  // namespace mv
