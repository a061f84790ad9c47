// SPDX-License-Identifier: Apache-2.0
#include "protocols/xml/document.hpp"

#include <utility>

#include "protocols/common/ascii.hpp"
#include "protocols/common/utf8.hpp"

namespace mv {

namespace {

bool xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

bool name_char(unsigned char c) {
  return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool allowed_char(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// The offset of the first byte that is not valid UTF-8 or not a character XML allows, or npos.
std::size_t first_bad_char(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    char32_t cp = 0;
    if (c < 0x80) {
      n = 1;
      cp = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF.
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || !allowed_char(cp))
      return i;
    i += n;
  }
  return std::string_view::npos;
}

class Parser {
 public:
  Parser(std::string_view doc, const Limits& limits, Error& error)
      : doc_(doc), limits_(limits), error_(error) {}

  std::optional<XmlElement> document() {
    if (doc_.size() > limits_.max_xml_document)
      return fail(ErrorKind::xml_limit, "the document is larger than " +
                                            std::to_string(limits_.max_xml_document) + " bytes");
    if (doc_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    if (const std::size_t bad = first_bad_char(doc_.substr(pos_)); bad != std::string_view::npos) {
      pos_ += bad;
      return fail(ErrorKind::xml_syntax, "invalid UTF-8 or a character XML does not allow");
    }
    if (doc_.substr(pos_).starts_with("<?xml") && pos_ + 5 < doc_.size() &&
        xml_space(doc_[pos_ + 5])) {
      if (!declaration()) return std::nullopt;
    }
    bool doctype_seen = false;
    std::optional<XmlElement> root;
    for (;;) {
      skip_space();
      if (at_end()) break;
      if (looking_at("<!--")) {
        if (!comment()) return std::nullopt;
      } else if (looking_at("<?")) {
        if (!processing_instruction()) return std::nullopt;
      } else if (looking_at("<!DOCTYPE")) {
        if (root || doctype_seen) return fail(ErrorKind::xml_syntax, "a misplaced DOCTYPE");
        if (!doctype()) return std::nullopt;
        doctype_seen = true;
      } else if (looking_at("<!ENTITY")) {
        return fail(ErrorKind::xml_forbidden, "an entity declaration (never expanded)");
      } else if (!root && looking_at("<") && pos_ + 1 < doc_.size() &&
                 name_start(static_cast<unsigned char>(doc_[pos_ + 1]))) {
        root.emplace();
        if (!element(*root, 1)) return std::nullopt;
      } else {
        return fail(ErrorKind::xml_syntax,
                    root ? "content after the root element" : "no root element where expected");
      }
    }
    if (!root) return fail(ErrorKind::xml_syntax, "no root element");
    return root;
  }

 private:
  bool at_end() const { return pos_ >= doc_.size(); }
  bool looking_at(std::string_view s) const { return doc_.substr(pos_).starts_with(s); }
  void skip_space() {
    while (!at_end() && xml_space(doc_[pos_]))
      ++pos_;
  }

  std::nullopt_t fail(ErrorKind kind, const std::string& what) {
    if (!error_)
      error_ = make_error(kind, Protocol::none,
                          "XML: " + what + " at byte " + std::to_string(pos_) + " of the document");
    return std::nullopt;
  }

  // Moves past `end`, which must come; what was before it is returned.
  std::optional<std::string_view> until(std::string_view end, const char* what) {
    const std::size_t at = doc_.find(end, pos_);
    if (at == std::string_view::npos) {
      fail(ErrorKind::xml_syntax, std::string("an unterminated ") + what);
      return std::nullopt;
    }
    std::string_view inside = doc_.substr(pos_, at - pos_);
    pos_ = at + end.size();
    return inside;
  }

  std::optional<std::string_view> name() {
    const std::size_t start = pos_;
    if (at_end() || !name_start(static_cast<unsigned char>(doc_[pos_]))) {
      fail(ErrorKind::xml_syntax, "a name expected");
      return std::nullopt;
    }
    while (!at_end() && name_char(static_cast<unsigned char>(doc_[pos_])))
      ++pos_;
    return doc_.substr(start, pos_ - start);
  }

  bool declaration() {
    pos_ += 5;
    const std::optional<std::string_view> inside = until("?>", "XML declaration");
    if (!inside) return false;
    // encoding="..." if given must be one this reader decodes: the document is read as UTF-8.
    const std::size_t e = inside->find("encoding");
    if (e == std::string_view::npos) return true;
    std::string_view rest = inside->substr(e + 8);
    while (!rest.empty() && (xml_space(rest.front()) || rest.front() == '='))
      rest.remove_prefix(1);
    if (rest.empty() || (rest.front() != '"' && rest.front() != '\'')) {
      fail(ErrorKind::xml_syntax, "a malformed encoding declaration");
      return false;
    }
    const char quote = rest.front();
    rest.remove_prefix(1);
    const std::string_view encoding = rest.substr(0, rest.find(quote));
    if (!iequals(encoding, "UTF-8") && !iequals(encoding, "US-ASCII")) {
      fail(ErrorKind::xml_syntax,
           "the encoding \"" + sanitize_server_text(encoding, 40) + "\" (only UTF-8 is read)");
      return false;
    }
    return true;
  }

  bool comment() {
    pos_ += 4;
    const std::optional<std::string_view> inside = until("-->", "comment");
    if (!inside) return false;
    if (inside->find("--") != std::string_view::npos || inside->ends_with("-")) {
      fail(ErrorKind::xml_syntax, "\"--\" inside a comment");
      return false;
    }
    return true;
  }

  bool processing_instruction() {
    pos_ += 2;
    const std::optional<std::string_view> target = name();
    if (!target) return false;
    if (iequals(*target, "xml")) {
      fail(ErrorKind::xml_syntax, "an XML declaration that is not at the start");
      return false;
    }
    return until("?>", "processing instruction").has_value();
  }

  // Only the DOCTYPE line itself ("<!DOCTYPE clientConfig SYSTEM "x.dtd">"); an internal subset
  // is where entities are declared, so it is refused whatever it holds. External ids are never
  // fetched.
  bool doctype() {
    pos_ += 9;
    char quote = 0;
    while (!at_end()) {
      const char c = doc_[pos_];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        fail(ErrorKind::xml_forbidden, "a DOCTYPE with an internal subset (entities are refused)");
        return false;
      } else if (c == '>') {
        ++pos_;
        return true;
      }
      ++pos_;
    }
    fail(ErrorKind::xml_syntax, "an unterminated DOCTYPE");
    return false;
  }

  // After '&': appends the character the reference stands for.
  bool reference(std::string& out) {
    ++pos_;
    const std::size_t semi = doc_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 10) {
      fail(ErrorKind::xml_syntax, "an '&' that starts no reference");
      return false;
    }
    const std::string_view ref = doc_.substr(pos_, semi - pos_);
    static constexpr std::pair<std::string_view, char> kPredefined[] = {
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    for (const auto& [n, c] : kPredefined) {
      if (ref == n) {
        out += c;
        pos_ = semi + 1;
        return true;
      }
    }
    if (!ref.starts_with("#")) {
      fail(ErrorKind::xml_forbidden,
           "the entity \"&" + sanitize_server_text(ref, 20) + ";\" (only the five predefined)");
      return false;
    }
    std::string_view digits = ref.substr(1);
    unsigned base = 10;
    if (digits.starts_with("x")) {
      base = 16;
      digits.remove_prefix(1);
    }
    char32_t cp = 0;
    bool ok = !digits.empty();
    for (char c : digits) {
      unsigned v;
      if (c >= '0' && c <= '9')
        v = static_cast<unsigned>(c - '0');
      else if (base == 16 && c >= 'a' && c <= 'f')
        v = static_cast<unsigned>(c - 'a' + 10);
      else if (base == 16 && c >= 'A' && c <= 'F')
        v = static_cast<unsigned>(c - 'A' + 10);
      else {
        ok = false;
        break;
      }
      cp = cp * base + v;
      if (cp > 0x10FFFF) {
        ok = false;
        break;
      }
    }
    if (!ok || !allowed_char(cp)) {
      fail(ErrorKind::xml_syntax,
           "the character reference \"&" + sanitize_server_text(ref, 20) + ";\"");
      return false;
    }
    append_utf8(out, cp);
    pos_ = semi + 1;
    return true;
  }

  bool text_limit(const std::string& s) {
    if (s.size() <= limits_.max_xml_text) return true;
    fail(ErrorKind::xml_limit, "a text or attribute value longer than " +
                                   std::to_string(limits_.max_xml_text) + " bytes");
    return false;
  }

  // After the opening quote: the value, references decoded, white space normalised to spaces.
  bool attribute_value(char quote, std::string& out) {
    while (!at_end()) {
      const char c = doc_[pos_];
      if (c == quote) {
        ++pos_;
        return true;
      }
      if (c == '<') {
        fail(ErrorKind::xml_syntax, "'<' in an attribute value");
        return false;
      }
      if (c == '&') {
        if (!reference(out)) return false;
      } else {
        if (c == '\r' && pos_ + 1 < doc_.size() && doc_[pos_ + 1] == '\n') ++pos_;
        out += xml_space(c) ? ' ' : c;
        ++pos_;
      }
      if (!text_limit(out)) return false;
    }
    fail(ErrorKind::xml_syntax, "an unterminated attribute value");
    return false;
  }

  // The URI bound to prefix (empty: the default namespace) in the scope, or nullopt if unbound.
  std::optional<std::string> resolve(std::string_view prefix) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
      if (it->first == prefix) return it->second;
    if (prefix.empty()) return std::string();
    if (prefix == "xml") return std::string("http://www.w3.org/XML/1998/namespace");
    return std::nullopt;
  }

  bool element(XmlElement& el, std::size_t depth) {
    if (depth > limits_.max_xml_depth) {
      fail(ErrorKind::xml_limit,
           "elements nested deeper than " + std::to_string(limits_.max_xml_depth));
      return false;
    }
    if (++elements_ > limits_.max_xml_elements) {
      fail(ErrorKind::xml_limit,
           "more than " + std::to_string(limits_.max_xml_elements) + " elements");
      return false;
    }
    ++pos_;  // '<'
    const std::optional<std::string_view> tag = name();
    if (!tag) return false;
    el.name = std::string(*tag);
    const std::size_t scope_size = scope_.size();
    bool empty = false;
    for (;;) {
      const std::size_t before = pos_;
      skip_space();
      if (looking_at("/>")) {
        pos_ += 2;
        empty = true;
        break;
      }
      if (looking_at(">")) {
        ++pos_;
        break;
      }
      if (at_end()) {
        fail(ErrorKind::xml_syntax, "an unterminated start tag");
        return false;
      }
      if (pos_ == before) {
        fail(ErrorKind::xml_syntax, "white space expected between attributes");
        return false;
      }
      const std::optional<std::string_view> attr = name();
      if (!attr) return false;
      skip_space();
      if (!looking_at("=")) {
        fail(ErrorKind::xml_syntax, "'=' expected after an attribute name");
        return false;
      }
      ++pos_;
      skip_space();
      if (at_end() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) {
        fail(ErrorKind::xml_syntax, "a quoted attribute value expected");
        return false;
      }
      const char quote = doc_[pos_++];
      if (el.attributes.size() >= limits_.max_xml_attributes) {
        fail(ErrorKind::xml_limit, "more than " + std::to_string(limits_.max_xml_attributes) +
                                       " attributes on one element");
        return false;
      }
      if (el.attribute(*attr)) {
        fail(ErrorKind::xml_syntax, "a duplicate attribute");
        return false;
      }
      XmlAttribute a{std::string(*attr), {}};
      if (!attribute_value(quote, a.value)) return false;
      if (a.name == "xmlns")
        scope_.emplace_back(std::string(), a.value);
      else if (a.name.starts_with("xmlns:"))
        scope_.emplace_back(a.name.substr(6), a.value);
      el.attributes.push_back(std::move(a));
    }
    for (const XmlAttribute& a : el.attributes) {
      const std::size_t colon = a.name.find(':');
      if (colon == std::string::npos || a.name.starts_with("xmlns:")) continue;
      if (!resolve(std::string_view(a.name).substr(0, colon))) {
        fail(ErrorKind::xml_syntax, "an attribute with an undeclared namespace prefix");
        return false;
      }
    }
    const std::size_t colon = el.name.find(':');
    const std::optional<std::string> uri =
        resolve(colon == std::string::npos ? std::string_view()
                                           : std::string_view(el.name).substr(0, colon));
    if (!uri) {
      fail(ErrorKind::xml_syntax, "an element with an undeclared namespace prefix");
      return false;
    }
    el.namespace_uri = *uri;
    if (!empty && !content(el, depth)) return false;
    scope_.resize(scope_size);
    return true;
  }

  bool content(XmlElement& el, std::size_t depth) {
    for (;;) {
      if (at_end()) {
        fail(ErrorKind::xml_syntax,
             "the element <" + sanitize_server_text(el.name, 40) + "> is not closed");
        return false;
      }
      const char c = doc_[pos_];
      if (c == '<') {
        if (looking_at("</")) {
          pos_ += 2;
          const std::optional<std::string_view> end = name();
          if (!end) return false;
          skip_space();
          if (*end != el.name || !looking_at(">")) {
            fail(ErrorKind::xml_syntax,
                 "the end tag does not match <" + sanitize_server_text(el.name, 40) + ">");
            return false;
          }
          ++pos_;
          return true;
        }
        if (looking_at("<!--")) {
          if (!comment()) return false;
        } else if (looking_at("<![CDATA[")) {
          pos_ += 9;
          const std::optional<std::string_view> data = until("]]>", "CDATA section");
          if (!data) return false;
          for (std::size_t i = 0; i < data->size(); ++i) {
            if ((*data)[i] == '\r') {
              if (i + 1 < data->size() && (*data)[i + 1] == '\n') ++i;
              el.text += '\n';
            } else {
              el.text += (*data)[i];
            }
          }
          if (!text_limit(el.text)) return false;
        } else if (looking_at("<?")) {
          if (!processing_instruction()) return false;
        } else if (looking_at("<!ENTITY") || looking_at("<!DOCTYPE")) {
          fail(ErrorKind::xml_forbidden, "a declaration inside the document");
          return false;
        } else if (looking_at("<!")) {
          fail(ErrorKind::xml_syntax, "an unknown markup declaration");
          return false;
        } else {
          el.children.emplace_back();
          if (!element(el.children.back(), depth + 1)) return false;
        }
      } else if (c == '&') {
        if (!reference(el.text) || !text_limit(el.text)) return false;
      } else {
        if (looking_at("]]>")) {
          fail(ErrorKind::xml_syntax, "\"]]>\" in text");
          return false;
        }
        if (c == '\r') {
          if (pos_ + 1 < doc_.size() && doc_[pos_ + 1] == '\n') ++pos_;
          el.text += '\n';
        } else {
          el.text += c;
        }
        ++pos_;
        if (!text_limit(el.text)) return false;
      }
    }
  }

  std::string_view doc_;
  const Limits& limits_;
  Error& error_;
  std::size_t pos_ = 0;
  std::size_t elements_ = 0;
  std::vector<std::pair<std::string, std::string>> scope_;  // prefix -> URI, innermost last
};

void escape(std::string& out, std::string_view s, bool attribute) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      default:
        out += c;
    }
  }
}

void write(std::string& out, const XmlElement& el) {
  out += '<';
  out += el.name;
  for (const XmlAttribute& a : el.attributes) {
    out += ' ';
    out += a.name;
    out += "=\"";
    escape(out, a.value, true);
    out += '"';
  }
  if (el.text.empty() && el.children.empty()) {
    out += "/>";
    return;
  }
  out += '>';
  escape(out, el.text, false);
  for (const XmlElement& child : el.children)
    write(out, child);
  out += "</";
  out += el.name;
  out += '>';
}

}  // namespace

std::string_view XmlElement::local_name() const {
  const std::size_t colon = name.find(':');
  return colon == std::string::npos ? std::string_view(name)
                                    : std::string_view(name).substr(colon + 1);
}

const XmlElement* XmlElement::child(std::string_view local) const {
  for (const XmlElement& c : children)
    if (c.local_name() == local) return &c;
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::children_named(std::string_view local) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children)
    if (c.local_name() == local) out.push_back(&c);
  return out;
}

std::string_view XmlElement::child_text(std::string_view local) const {
  const XmlElement* c = child(local);
  return c ? xml_trim(c->text) : std::string_view();
}

const std::string* XmlElement::attribute(std::string_view attr) const {
  for (const XmlAttribute& a : attributes)
    if (a.name == attr) return &a.value;
  return nullptr;
}

std::optional<XmlElement> parse_xml(std::string_view document, Error& error, const Limits& limits) {
  error = {};
  return Parser(document, limits, error).document();
}

std::string write_xml(const XmlElement& element) {
  std::string out;
  write(out, element);
  return out;
}

std::string_view xml_trim(std::string_view text) {
  while (!text.empty() && xml_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && xml_space(text.back()))
    text.remove_suffix(1);
  return text;
}

}  // namespace mv
