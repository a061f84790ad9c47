// SPDX-License-Identifier: Apache-2.0
#include "tools/netrc.hpp"
#include "protocols/common/ascii.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace mv::tool {

namespace {

// Splits into whitespace-separated tokens; "quoted tokens" with backslash escapes; '#' at the
// start of a token comments out the rest of the line. A macdef (name, then body lines up to an
// empty line) is dropped here, because its body is not made of tokens.
std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  auto skip_line = [&] {
    while (i < text.size() && text[i] != '\n')
      ++i;
    if (i < text.size()) ++i;
  };
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    if (c == '#') {
      skip_line();
      continue;
    }
    std::string tok;
    if (c == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        tok += text[i++];
      }
      if (i < text.size()) ++i;  // the closing quote
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
        tok += text[i++];
    }
    if (tok == "macdef") {
      skip_line();  // the macro's name
      while (i < text.size()) {
        std::size_t start = i;
        skip_line();
        std::string_view line = text.substr(start, i - start);
        if (line == "\n" || line == "\r\n" || line.empty()) break;
      }
      continue;
    }
    out.push_back(std::move(tok));
  }
  return out;
}

struct Entry {
  bool is_default = false;
  std::string machine;
  std::optional<std::string> login;
  std::optional<std::string> password;
};

std::vector<Entry> parse(std::string_view text) {
  std::vector<std::string> toks = tokenize(text);
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const std::string& t = toks[i];
    const bool has_value = i + 1 < toks.size();
    if (t == "machine" && has_value) {
      entries.push_back({false, toks[++i], {}, {}});
    } else if (t == "default") {
      entries.push_back({true, {}, {}, {}});
    } else if (entries.empty()) {
      continue;  // junk before the first entry
    } else if ((t == "login" || t == "user") && has_value) {
      entries.back().login = toks[++i];
    } else if ((t == "password" || t == "passwd") && has_value) {
      entries.back().password = toks[++i];
    } else if (t == "account" && has_value) {
      ++i;
    }
  }
  return entries;
}

}  // namespace

std::optional<NetrcLogin> netrc_lookup(std::string_view netrc_text, std::string_view host,
                                       std::string_view user) {
  std::vector<Entry> entries = parse(netrc_text);
  auto fits = [&](const Entry& e) {
    return e.password && (user.empty() || !e.login || *e.login == user);
  };
  for (bool want_default : {false, true}) {
    for (const Entry& e : entries) {
      if (e.is_default != want_default) continue;
      if (!want_default && !iequals(e.machine, host)) continue;
      if (fits(e)) return NetrcLogin{e.login.value_or(std::string{}), *e.password};
    }
  }
  return std::nullopt;
}

std::optional<NetrcLogin> netrc_lookup_home(std::string_view host, std::string_view user,
                                            std::string& warning, const Limits& limits) {
  const char* home = std::getenv("HOME");
  if (!home || !*home) return std::nullopt;
  const std::string path = std::string(home) + "/.netrc";
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(limits.max_netrc_file, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto found = netrc_lookup(text, host, user);
  struct stat st {};
  if (found && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    warning = path + " is readable by other users: chmod 600 it";
  return found;
}

}  // namespace mv::tool
