// SPDX-License-Identifier: Apache-2.0
#include "protocols/imap/response.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/common/digits.hpp"

namespace mv {

namespace {

template <typename T>
bool parse_number(std::string_view s, T max, T& out) {
  const std::optional<T> n = parse_digits<T>(s, max);
  if (n) out = *n;
  return n.has_value();
}

bool is_body_item(std::string_view name) {
  std::string u = ascii_upper(name);
  return u.rfind("BODY[", 0) == 0 || u.rfind("BINARY[", 0) == 0 || u == "RFC822" ||
         u == "RFC822.TEXT" || u == "RFC822.HEADER";
}

struct Value {
  enum class Type { atom, string, nil, list, streamed };
  Type type = Type::atom;
  std::string text;
  std::vector<Value> items;
};

class Lexer {
 public:
  Lexer(std::string_view s, const Limits& limits) : s_(s), limits_(limits) {}

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool space() {
    if (!eat(' ')) return false;
    while (eat(' ')) {
    }
    return true;
  }
  std::string_view rest() const { return at_end() ? std::string_view{} : s_.substr(pos_); }
  std::size_t pos() const { return pos_; }

  // An atom; '[' starts a section that runs to its matching ']' (spaces and parens allowed
  // inside, as in BODY[HEADER.FIELDS (A B)]). In a response code ']' ends the atom.
  bool atom(std::string& out, bool in_code = false) {
    std::size_t start = pos_;
    while (!at_end()) {
      char c = s_[pos_];
      if (c == ' ' || c == '(' || c == ')' || c == '"' || c == '\r' || c == '\n') break;
      if (c == '{' && pos_ == start) break;
      if (c == ']' && in_code) break;
      if (c == '[' && !in_code) {
        int depth = 0;
        bool quoted = false;
        while (!at_end()) {
          char d = s_[pos_++];
          if (quoted) {
            if (d == '\\' && !at_end()) {
              ++pos_;
            } else if (d == '"') {
              quoted = false;
            }
          } else if (d == '"') {
            quoted = true;
          } else if (d == '[') {
            ++depth;
          } else if (d == ']' && --depth == 0) {
            break;
          }
        }
        if (depth != 0) return fail("unterminated [ section");
        continue;
      }
      ++pos_;
    }
    if (pos_ == start) return fail("expected an atom");
    out.assign(s_.substr(start, pos_ - start));
    return true;
  }

  bool quoted(std::string& out) {
    if (!eat('"')) return fail("expected a quoted string");
    out.clear();
    while (!at_end()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (at_end()) break;
        c = s_[pos_++];
      }
      if (c == '\r' || c == '\n') return fail("line end inside a quoted string");
      out += c;
    }
    return fail("unterminated quoted string");
  }

  bool literal(Value& out) {
    eat('~');
    if (!eat('{')) return fail("expected a literal");
    std::size_t start = pos_;
    while (peek() >= '0' && peek() <= '9')
      ++pos_;
    std::uint64_t n = 0;
    if (!parse_number<std::uint64_t>(s_.substr(start, pos_ - start), UINT64_MAX, n)) {
      return fail("bad literal size");
    }
    bool streamed = eat('-');
    if (!eat('}') || !eat('\r') || !eat('\n')) return fail("bad literal marker");
    if (streamed) {
      out.type = Value::Type::streamed;
      out.text.clear();
      return true;
    }
    if (n > s_.size() - pos_) return fail("literal shorter than announced");
    out.type = Value::Type::string;
    out.text.assign(s_.substr(pos_, static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    return true;
  }

  bool value(Value& out, std::size_t depth = 0) {
    char c = peek();
    if (c == '(') {
      if (depth + 1 > limits_.max_list_depth) return fail("lists nested too deeply");
      ++pos_;
      out.type = Value::Type::list;
      out.items.clear();
      space();
      while (!eat(')')) {
        if (at_end()) return fail("unterminated list");
        Value v;
        if (!value(v, depth + 1)) return false;
        out.items.push_back(std::move(v));
        if (!space() && peek() != ')') return fail("expected a space or ')' in a list");
      }
      return true;
    }
    if (c == '"') {
      out.type = Value::Type::string;
      return quoted(out.text);
    }
    if (c == '{' || (c == '~' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '{')) {
      return literal(out);
    }
    if (!atom(out.text)) return false;
    out.type = iequals(out.text, "NIL") ? Value::Type::nil : Value::Type::atom;
    return true;
  }

  // Status response text: [SP] ["[" code [SP args] "]" [SP]] text.
  bool resp_text(ImapResponse& r) {
    space();
    if (eat('[')) {
      ImapCode code;
      std::string name;
      if (!atom(name, true)) return false;
      code.name = ascii_upper(name);
      if (eat(' ')) {
        std::size_t start = pos_;
        int depth = 0;
        bool quoted_now = false;
        while (!at_end()) {
          char c = s_[pos_];
          if (quoted_now) {
            if (c == '\\')
              ++pos_;
            else if (c == '"')
              quoted_now = false;
          } else if (c == '"') {
            quoted_now = true;
          } else if (c == '[' || c == '(') {
            ++depth;
          } else if (c == ')' || (c == ']' && depth > 0)) {
            --depth;
          } else if (c == ']') {
            break;
          }
          ++pos_;
        }
        if (at_end()) return fail("unterminated response code");
        code.args.assign(s_.substr(start, pos_ - start));
      }
      if (!eat(']')) return fail("unterminated response code");
      r.code = std::move(code);
      space();
    }
    r.text.assign(rest());
    return true;
  }

  bool fail(const char* why) {
    if (why_.empty()) why_ = why;
    return false;
  }
  const std::string& why() const { return why_; }

 private:
  std::string_view s_;
  const Limits& limits_;
  std::size_t pos_ = 0;
  std::string why_;
};

std::optional<ImapStatus> status_from(std::string_view word) {
  std::string u = ascii_upper(word);
  if (u == "OK") return ImapStatus::ok;
  if (u == "NO") return ImapStatus::no;
  if (u == "BAD") return ImapStatus::bad;
  if (u == "BYE") return ImapStatus::bye;
  if (u == "PREAUTH") return ImapStatus::preauth;
  return std::nullopt;
}

bool parse_fetch(Lexer& lx, std::uint32_t seq, LiteralSink* sink, ImapFetch& f) {
  Value list;
  if (!lx.value(list) || list.type != Value::Type::list) return lx.fail("FETCH needs a list");
  for (std::size_t i = 0; i + 1 < list.items.size(); i += 2) {
    const Value& name = list.items[i];
    const Value& v = list.items[i + 1];
    if (name.type != Value::Type::atom) return lx.fail("FETCH item name is not an atom");
    std::string n = ascii_upper(name.text);
    if (n == "UID") {
      std::uint32_t uid = 0;
      if (v.type != Value::Type::atom || !parse_number<std::uint32_t>(v.text, UINT32_MAX, uid)) {
        return lx.fail("bad UID");
      }
      f.uid = uid;
    } else if (n == "FLAGS") {
      if (v.type != Value::Type::list) return lx.fail("FLAGS needs a list");
      std::vector<std::string> flags;
      for (const Value& x : v.items) {
        if (x.type != Value::Type::atom) return lx.fail("a flag is not an atom");
        flags.push_back(x.text);
      }
      f.flags = std::move(flags);
    } else if (n == "INTERNALDATE") {
      if (v.type != Value::Type::string) return lx.fail("INTERNALDATE needs a string");
      f.internaldate = v.text;
    } else if (n == "RFC822.SIZE") {
      std::uint64_t size = 0;
      if (v.type != Value::Type::atom || !parse_number<std::uint64_t>(v.text, UINT64_MAX, size)) {
        return lx.fail("bad RFC822.SIZE");
      }
      f.rfc822_size = size;
    } else if (is_body_item(name.text)) {
      if (v.type == Value::Type::streamed) {
        f.body_items.push_back(name.text);
      } else if (v.type == Value::Type::string) {
        f.body_items.push_back(name.text);
        if (sink) {
          sink->literal_begin(seq, name.text, v.text.size());
          sink->literal_data(v.text);
          sink->literal_end();
        }
      }
    }
  }
  if (list.items.size() % 2 != 0) return lx.fail("FETCH list has an item without a value");
  return true;
}

}  // namespace

std::string_view imap_status_name(ImapStatus s) {
  switch (s) {
    case ImapStatus::none:
      return "";
    case ImapStatus::ok:
      return "OK";
    case ImapStatus::no:
      return "NO";
    case ImapStatus::bad:
      return "BAD";
    case ImapStatus::bye:
      return "BYE";
    case ImapStatus::preauth:
      return "PREAUTH";
  }
  return "";
}

std::string imap_status_text(const ImapResponse& r) {
  std::string s;
  if (r.code) {
    s = "[" + r.code->name;
    if (!r.code->args.empty()) s += " " + r.code->args;
    s += "]";
    if (!r.text.empty()) s += " ";
  }
  return s + r.text;
}

std::vector<std::string> split_imap_atoms(std::string_view text, std::size_t max, bool& truncated) {
  truncated = false;
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ')
      ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ')
      ++i;
    if (i == start) break;
    if (out.size() >= max) {
      truncated = true;
      break;
    }
    out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::optional<std::string> imap_streamed_item(std::string_view s) {
  // "* <n> FETCH (" prefix.
  if (s.size() < 2 || s[0] != '*' || s[1] != ' ') return std::nullopt;
  std::size_t i = 2;
  std::size_t digits = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9')
    ++i;
  if (i == digits || i + 7 > s.size() || !iequals(s.substr(i, 7), " FETCH ")) return std::nullopt;
  // Strip the marker: "}" ["+"|"-"] digits "{" ["~"] then the separating space.
  if (s.empty() || s.back() != '}') return std::nullopt;
  s.remove_suffix(1);
  if (!s.empty() && (s.back() == '+' || s.back() == '-')) s.remove_suffix(1);
  while (!s.empty() && s.back() >= '0' && s.back() <= '9')
    s.remove_suffix(1);
  if (s.empty() || s.back() != '{') return std::nullopt;
  s.remove_suffix(1);
  if (!s.empty() && s.back() == '~') s.remove_suffix(1);
  if (s.empty() || s.back() != ' ') return std::nullopt;
  s.remove_suffix(1);
  std::size_t end = s.size();
  std::size_t j = end;
  if (j > 0 && s[j - 1] == '>') {
    while (j > 0 && s[j - 1] != '<')
      --j;
    if (j == 0) return std::nullopt;
    --j;
  }
  if (j > 0 && s[j - 1] == ']') {
    int depth = 0;
    while (j > 0) {
      char c = s[--j];
      if (c == ']') ++depth;
      if (c == '[' && --depth == 0) break;
    }
    if (depth != 0) return std::nullopt;
  }
  while (j > 0 && s[j - 1] != ' ' && s[j - 1] != '(')
    --j;
  std::string item(s.substr(j, end - j));
  if (!is_body_item(item)) return std::nullopt;
  return item;
}

bool parse_imap_response(std::string_view line, const Limits& limits, LiteralSink* sink,
                         ImapResponse& r, std::string& why) {
  r = ImapResponse{};
  Lexer lx(line, limits);
  auto failed = [&](const char* fallback) {
    why = lx.why().empty() ? fallback : lx.why();
    return false;
  };
  if (lx.eat('+')) {
    r.kind = ImapResponse::Kind::continuation;
    lx.eat(' ');
    r.text.assign(lx.rest());
    return true;
  }
  if (lx.eat('*')) {
    r.kind = ImapResponse::Kind::untagged;
    if (!lx.eat(' ')) return failed("expected a space after '*'");
    std::string first;
    if (!lx.atom(first)) return failed("expected a keyword");
    std::uint32_t n = 0;
    if (parse_number<std::uint32_t>(first, UINT32_MAX, n)) {
      r.number = n;
      std::string kw;
      if (!lx.eat(' ') || !lx.atom(kw)) return failed("expected a keyword after the number");
      r.keyword = ascii_upper(kw);
      if (r.keyword == "FETCH") {
        if (!lx.eat(' ') || !parse_fetch(lx, n, sink, r.fetch)) return failed("bad FETCH");
      }
      return true;
    }
    r.keyword = ascii_upper(first);
    if (auto st = status_from(first)) {
      if (*st != ImapStatus::ok && *st != ImapStatus::no && *st != ImapStatus::bad &&
          *st != ImapStatus::bye && *st != ImapStatus::preauth)
        return failed("bad status");
      r.status = *st;
      if (!lx.resp_text(r)) return failed("bad response text");
      return true;
    }
    if (r.keyword == "CAPABILITY" || r.keyword == "ENABLED") {
      bool truncated = false;
      r.atoms = split_imap_atoms(lx.rest(), limits.max_capabilities, truncated);
      if (truncated) {
        why = "too many capabilities";
        return false;
      }
      return true;
    }
    if (r.keyword == "FLAGS") {
      Value v;
      if (!lx.eat(' ') || !lx.value(v) || v.type != Value::Type::list) {
        return failed("FLAGS needs a list");
      }
      for (const Value& x : v.items) {
        if (x.type != Value::Type::atom) return failed("a flag is not an atom");
        r.atoms.push_back(x.text);
      }
      return true;
    }
    if (r.keyword == "LIST" || r.keyword == "LSUB") {
      Value attrs, sep, name;
      if (!lx.eat(' ') || !lx.value(attrs) || attrs.type != Value::Type::list) {
        return failed("LIST needs attributes");
      }
      for (const Value& x : attrs.items) {
        if (x.type != Value::Type::atom) return failed("a LIST attribute is not an atom");
        r.list.attributes.push_back(x.text);
      }
      if (!lx.space() || !lx.value(sep) ||
          (sep.type != Value::Type::string && sep.type != Value::Type::nil) ||
          (sep.type == Value::Type::string && sep.text.size() != 1)) {
        return failed("LIST needs a separator");
      }
      if (sep.type == Value::Type::string) r.list.separator = sep.text;
      if (!lx.space() || !lx.value(name) ||
          (name.type != Value::Type::string && name.type != Value::Type::atom)) {
        return failed("LIST needs a mailbox name");
      }
      r.list.name = name.text;
      return true;  // extended data (CHILDINFO, OLDNAME) ignored
    }
    if (r.keyword == "NAMESPACE") {
      Value personal;
      if (!lx.eat(' ') || !lx.value(personal)) return failed("NAMESPACE needs a value");
      if (personal.type == Value::Type::list && !personal.items.empty()) {
        const Value& first_ns = personal.items.front();
        if (first_ns.type != Value::Type::list || first_ns.items.size() < 2 ||
            first_ns.items[0].type != Value::Type::string) {
          return failed("bad NAMESPACE entry");
        }
        r.ns.present = true;
        r.ns.prefix = first_ns.items[0].text;
        if (first_ns.items[1].type == Value::Type::string) r.ns.separator = first_ns.items[1].text;
      } else if (personal.type != Value::Type::nil) {
        return failed("bad NAMESPACE");
      }
      return true;  // other users' and shared namespaces are not needed
    }
    if (r.keyword == "SEARCH") {
      while (lx.space()) {
        std::string a;
        if (lx.peek() == '(') break;  // "(MODSEQ n)"
        if (!lx.atom(a)) return failed("bad SEARCH");
        std::uint32_t v = 0;
        if (!parse_number<std::uint32_t>(a, UINT32_MAX, v)) return failed("bad SEARCH number");
        r.numbers.push_back(v);
      }
      return true;
    }
    return true;  // ID, STATUS, ESEARCH, ...: keyword only
  }
  r.kind = ImapResponse::Kind::tagged;
  if (!lx.atom(r.tag, true) || r.tag.find_first_of("+[]{%*") != std::string::npos) {
    why = "bad tag";
    return false;
  }
  std::string word;
  if (!lx.eat(' ') || !lx.atom(word, true)) return failed("expected a status after the tag");
  auto st = status_from(word);
  if (!st || (*st != ImapStatus::ok && *st != ImapStatus::no && *st != ImapStatus::bad)) {
    why = "tagged status must be OK, NO or BAD";
    return false;
  }
  r.status = *st;
  if (!lx.resp_text(r)) return failed("bad response text");
  return true;
}

ImapResponseReader::ImapResponseReader(const Limits& limits) : limits_(limits), framer_(limits) {}

ImapResponseReader::Status ImapResponseReader::fail(ErrorKind kind, std::string detail,
                                                    std::string_view line) {
  if (!error_) error_ = make_error(kind, Protocol::imap, std::move(detail), line);
  line_.clear();
  return Status::error;
}

ImapResponseReader::Status ImapResponseReader::next(ImapResponse& out) {
  if (error_) return Status::error;
  for (;;) {
    ImapFramer::Piece p = framer_.next();
    switch (p.kind) {
      case ImapFramer::Kind::need_more:
        return Status::need_more;
      case ImapFramer::Kind::error:
        error_ = framer_.error();
        line_.clear();
        return Status::error;
      case ImapFramer::Kind::literal:
        if (streaming_) {
          if (sink_) sink_->literal_data(p.data);
          if (p.last) {
            streaming_ = false;
            if (sink_) sink_->literal_end();
          }
        } else {
          line_.append(p.data);
        }
        continue;
      case ImapFramer::Kind::segment:
        break;
    }
    if (line_.size() + p.data.size() + 8 > limits_.max_reply_bytes) {
      return fail(ErrorKind::reply_too_large, "a response exceeds the response size limit", {});
    }
    line_.append(p.data);
    if (p.literal) {
      std::optional<std::string> item = imap_streamed_item(line_);
      line_.pop_back();  // '}'
      if (line_.back() == '+' || line_.back() == '-') line_.pop_back();
      if (item) {
        std::uint32_t seq = 0;
        std::size_t end = line_.find(' ', 2);
        parse_number<std::uint32_t>(std::string_view(line_).substr(2, end - 2), UINT32_MAX, seq);
        line_ += "-}\r\n";
        streaming_ = true;
        if (sink_) sink_->literal_begin(seq, *item, *p.literal);
      } else {
        if (*p.literal > limits_.max_reply_bytes - line_.size()) {
          return fail(ErrorKind::reply_too_large, "a literal exceeds the response size limit", {});
        }
        line_ += "}\r\n";
      }
      continue;
    }
    std::string why;
    bool ok = parse_imap_response(line_, limits_, sink_, out, why);
    if (!ok) {
      // Name the line without literal contents: cut at the first inline literal.
      std::string_view shown(line_);
      shown = shown.substr(0, shown.find("\r\n"));
      std::string detail = "unparsable response: " + why;
      return fail(ErrorKind::bad_response, std::move(detail), shown);
    }
    line_.clear();
    return Status::response;
  }
}

void ImapResponseReader::reset() {
  framer_.reset();
  line_.clear();
  streaming_ = false;
}

}  // namespace mv
