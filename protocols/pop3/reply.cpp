// SPDX-License-Identifier: Apache-2.0
#include "protocols/pop3/reply.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/common/digits.hpp"

#include <algorithm>
#include <limits>

namespace mv {
namespace {

bool starts_with_word(std::string_view line, std::string_view word) {
  return line.substr(0, word.size()) == word &&
         (line.size() == word.size() || line[word.size()] == ' ');
}

// Splits at runs of spaces.
std::vector<std::string_view> words_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ')
      ++i;
    if (i == s.size()) break;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ')
      ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  const std::optional<T> n = parse_digits<T>(s);
  if (n) out = *n;
  return n.has_value();
}

// RFC 2449 8: resp-code = "[" resp-level *("/" resp-level) "]", resp-level = 1*<CHAR except
// "/", "[", "]", SP and CTLs>.
bool valid_resp_code(std::string_view code) {
  if (code.empty() || code.front() == '/' || code.back() == '/') return false;
  char prev = 0;
  for (char c : code) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '[' || c == ']') return false;
    if (c == '/' && prev == '/') return false;
    prev = c;
  }
  return true;
}

Error make_listing_error(ErrorKind kind, std::string detail, std::string_view line) {
  return make_error(kind, Protocol::pop3, std::move(detail), line);
}

}  // namespace

std::string Pop3Status::words() const {
  std::string out = ok ? "+OK" : "-ERR";
  if (!code.empty()) out += " [" + code + "]";
  if (!text.empty()) out += " " + text;
  return out;
}

std::optional<Pop3Status> parse_status_line(std::string_view line) {
  Pop3Status st;
  std::string_view rest;
  if (starts_with_word(line, "+OK")) {
    st.ok = true;
    rest = line.substr(3);
  } else if (starts_with_word(line, "-ERR")) {
    rest = line.substr(4);
  } else {
    return std::nullopt;
  }
  if (!rest.empty()) rest.remove_prefix(1);  // the space after the status word
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close != std::string_view::npos && valid_resp_code(rest.substr(1, close - 1))) {
      st.code = std::string(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
      while (!rest.empty() && rest.front() == ' ')
        rest.remove_prefix(1);
    }
  }
  st.text = std::string(rest);
  return st;
}

Pop3ReplyReader::Pop3ReplyReader(const Limits& limits)
    : limits_(limits), reader_(limits.max_line) {}

std::size_t Pop3ReplyReader::feed(std::string_view data) {
  if (error_) return data.size();
  return reader_.feed(data);
}

void Pop3ReplyReader::expect_list() {
  if (!error_) mode_ = Mode::list;
}

void Pop3ReplyReader::expect_payload() {
  if (error_) return;
  mode_ = Mode::payload;
  unstuffer_.reset();
  payload_done_ = false;
}

Pop3ReplyReader::Result Pop3ReplyReader::fail(ErrorKind kind, std::string detail,
                                              std::string_view line) {
  error_ = make_error(kind, Protocol::pop3, std::move(detail), line);
  reader_.clear();
  return Result::error;
}

Pop3ReplyReader::Result Pop3ReplyReader::next() {
  if (error_) return Result::error;
  switch (mode_) {
    case Mode::status:
      return next_status();
    case Mode::list:
      return next_list();
    case Mode::payload:
      return next_payload();
  }
  return Result::error;
}

Pop3ReplyReader::Result Pop3ReplyReader::next_status() {
  std::string_view line;
  switch (reader_.next(line)) {
    case LineReader::Status::need_more:
      return Result::need_more;
    case LineReader::Status::too_long:
      return fail(ErrorKind::line_too_long, "a status line exceeded the line limit", {});
    case LineReader::Status::line:
      break;
  }
  if (auto st = parse_status_line(line)) {
    status_ = std::move(*st);
    return Result::status;
  }
  if (line == "+" || line.substr(0, 2) == "+ ") {
    text_.assign(line.size() > 2 ? line.substr(2) : std::string_view{});
    return Result::continuation;
  }
  return fail(ErrorKind::bad_status, "the server sent a line that is neither +OK nor -ERR", line);
}

Pop3ReplyReader::Result Pop3ReplyReader::next_list() {
  std::string_view line;
  switch (reader_.next(line)) {
    case LineReader::Status::need_more:
      return Result::need_more;
    case LineReader::Status::too_long:
      return fail(ErrorKind::line_too_long, "a list line exceeded the line limit", {});
    case LineReader::Status::line:
      break;
  }
  if (line == ".") {
    mode_ = Mode::status;
    return Result::list_end;
  }
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);
  text_.assign(line);
  return Result::list_item;
}

Pop3ReplyReader::Result Pop3ReplyReader::next_payload() {
  if (payload_done_) {
    payload_done_ = false;
    mode_ = Mode::status;
    return Result::payload_end;
  }
  for (;;) {
    const std::string_view raw = reader_.take_raw(limits_.output_chunk);
    if (raw.empty()) return Result::need_more;
    chunk_.clear();
    const std::size_t used = unstuffer_.decode(raw, chunk_);
    if (used < raw.size()) {
      // Bytes after the terminator belong to the next response: put them back in front. They and
      // the rest of the buffer were in the buffer together, so they fit again.
      std::string rest(raw.substr(used));
      rest.append(reader_.take_raw(std::numeric_limits<std::size_t>::max()));
      reader_.clear();
      reader_.feed(rest);
    }
    if (unstuffer_.finished()) {
      if (chunk_.empty()) {
        mode_ = Mode::status;
        return Result::payload_end;
      }
      payload_done_ = true;
      return Result::payload;
    }
    if (!chunk_.empty()) return Result::payload;
  }
}

bool Pop3ReplyReader::on_eof() {
  if (error_) return false;
  if (mode_ == Mode::status && reader_.buffered() == 0) return false;
  if (mode_ == Mode::payload && payload_done_) return false;
  fail(ErrorKind::truncated,
       "the connection closed in the middle of a response (no terminating line)", {});
  return true;
}

void Pop3ReplyReader::clear() {
  reader_.clear();
  unstuffer_.reset();
  mode_ = Mode::status;
  payload_done_ = false;
  error_ = Error{};
}

bool add_capability_line(std::string_view line, Pop3Capabilities& caps, const Limits& limits,
                         Error& error) {
  if (++caps.lines > limits.max_capabilities) {
    error = make_error(ErrorKind::too_many_capabilities, Protocol::pop3,
                       "the CAPA list exceeded the capability limit", line);
    return false;
  }
  const auto words = words_of(line);
  if (words.empty()) return true;
  const std::string_view key = words.front();
  if (iequals(key, "TOP"))
    caps.top = true;
  else if (iequals(key, "USER"))
    caps.user = true;
  else if (iequals(key, "UIDL"))
    caps.uidl = true;
  else if (iequals(key, "PIPELINING"))
    caps.pipelining = true;
  else if (iequals(key, "RESP-CODES"))
    caps.resp_codes = true;
  else if (iequals(key, "AUTH-RESP-CODE"))
    caps.auth_resp_code = true;
  else if (iequals(key, "STLS"))
    caps.stls = true;
  else if (iequals(key, "IMPLEMENTATION")) {
    const std::size_t at = line.find(key) + key.size();
    std::string_view rest = line.substr(at);
    while (!rest.empty() && rest.front() == ' ')
      rest.remove_prefix(1);
    caps.implementation = sanitize_server_text(rest, 128);
  } else if (iequals(key, "SASL")) {
    caps.sasl_listed = true;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (caps.sasl_names.size() >= limits.max_capabilities) break;
      caps.sasl_names.emplace_back(words[i]);
      if (auto m = mechanism_from_name(words[i])) {
        if (std::find(caps.sasl.begin(), caps.sasl.end(), *m) == caps.sasl.end()) {
          caps.sasl.push_back(*m);
        }
      }
    }
  }
  return true;
}

bool valid_uid(std::string_view uid) {
  if (uid.empty() || uid.size() > kMaxPop3UidLength) return false;
  return std::all_of(uid.begin(), uid.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7e;
  });
}

bool add_uidl_line(std::string_view line, std::vector<Pop3Listing>& out, Error& error,
                   std::size_t max_entries) {
  // Split at the first space only: a UID with a control byte or a space must fail validation,
  // not be silently cut.
  const std::size_t sp = line.find(' ');
  Pop3Listing entry;
  if (sp == std::string_view::npos || !parse_number(line.substr(0, sp), entry.number) ||
      entry.number == 0) {
    error = make_listing_error(ErrorKind::bad_uidl, "a UIDL line is not \"number uid\"", line);
    return false;
  }
  const std::string_view uid = line.substr(sp + 1);
  if (!valid_uid(uid)) {
    error = make_listing_error(ErrorKind::bad_uidl,
                               "a UIDL unique-id is empty, longer than 70 characters or holds "
                               "characters outside 0x21..0x7E",
                               line);
    return false;
  }
  if (out.size() >= max_entries) {
    error =
        make_listing_error(ErrorKind::listing_too_long, "the UIDL listing exceeded its limit", {});
    return false;
  }
  entry.uid.assign(uid);
  out.push_back(std::move(entry));
  return true;
}

bool add_list_line(std::string_view line, std::vector<Pop3Listing>& out, Error& error,
                   std::size_t max_entries) {
  const auto words = words_of(line);
  Pop3Listing entry;
  if (words.size() < 2 || !parse_number(words[0], entry.number) || entry.number == 0 ||
      !parse_number(words[1], entry.size)) {
    error = make_listing_error(ErrorKind::bad_list, "a LIST line is not \"number size\"", line);
    return false;
  }
  if (out.size() >= max_entries) {
    error =
        make_listing_error(ErrorKind::listing_too_long, "the LIST listing exceeded its limit", {});
    return false;
  }
  out.push_back(std::move(entry));
  return true;
}

bool parse_stat(std::string_view text, std::uint32_t& count, std::uint64_t& size) {
  const auto words = words_of(text);
  return words.size() >= 2 && parse_number(words[0], count) && parse_number(words[1], size);
}

std::string apop_timestamp(std::string_view greeting_text) {
  const std::size_t open = greeting_text.find('<');
  if (open == std::string_view::npos) return {};
  const std::size_t close = greeting_text.find('>', open);
  if (close == std::string_view::npos) return {};
  const std::string_view ts = greeting_text.substr(open, close - open + 1);
  if (ts.size() < 3 || ts.size() > 256) return {};
  for (char c : ts.substr(1, ts.size() - 2)) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '<') return {};
  }
  return std::string(ts);
}

}  // namespace mv
