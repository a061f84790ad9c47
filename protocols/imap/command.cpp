// SPDX-License-Identifier: Apache-2.0
#include "protocols/imap/command.hpp"

#include "protocols/common/ascii.hpp"

namespace mv {

namespace {

bool atom_safe(std::string_view v) {
  if (v.empty() || iequals(v, "NIL")) return false;
  for (unsigned char c : v) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("(){%*\"\\]").find(static_cast<char>(c)) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool quotable(std::string_view v) {
  for (unsigned char c : v) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::string ImapTagGenerator::next() {
  state_ += 0x9e3779b97f4a7c15ull;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string tag = "M";
  for (int i = 0; i < 10; ++i) {
    tag += kAlphabet[z % 36];
    z /= 36;
  }
  return tag;
}

ImapCommand& ImapCommand::text(std::string_view t) {
  parts.back() += t;
  return *this;
}

ImapCommand& ImapCommand::astring(std::string_view v) {
  if (atom_safe(v)) return text(v);
  if (quotable(v)) return text("\"").text(v).text("\"");
  const std::string n = std::to_string(v.size());
  if (nonsync_ok || (nonsync_small && v.size() <= kLiteralMinusMax)) {
    return text("{" + n + "+}\r\n").text(v);
  }
  text("{" + n + "}\r\n");
  parts.emplace_back(v);
  return *this;
}

}  // namespace mv
