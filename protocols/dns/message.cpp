// SPDX-License-Identifier: Apache-2.0
#include "protocols/dns/message.hpp"

#include <algorithm>

namespace mv::dns {

namespace {

constexpr std::size_t kHeader = 12;
constexpr std::size_t kMaxName = 255;  // wire form, RFC 1035 2.3.4

bool fail(std::string* why, std::string_view text) {
  if (why) *why = text;
  return false;
}

std::uint16_t u16(std::string_view m, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(m[at]) << 8) |
                                    static_cast<unsigned char>(m[at + 1]));
}

std::uint32_t u32(std::string_view m, std::size_t at) {
  return (static_cast<std::uint32_t>(u16(m, at)) << 16) | u16(m, at + 2);
}

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Reads the name at pos (following pointers backwards, bounded); pos moves past it in the
// record. Labels are lower-cased; bytes outside printable ASCII or dots inside a label are
// escaped as \DDD so they can never pass for other names.
bool read_name(std::string_view m, std::size_t& pos, std::string& name, const Limits& limits,
               std::string* why) {
  name.clear();
  std::size_t at = pos;
  std::size_t wire = 0;
  std::size_t hops = 0;
  bool jumped = false;
  for (;;) {
    if (at >= m.size()) return fail(why, "a name runs past the message");
    const auto len = static_cast<unsigned char>(m[at]);
    if ((len & 0xc0) == 0xc0) {
      if (at + 1 >= m.size()) return fail(why, "a name runs past the message");
      const std::size_t target = ((len & 0x3fu) << 8) | static_cast<unsigned char>(m[at + 1]);
      if (target >= at) return fail(why, "a compression pointer points forwards");
      if (++hops > limits.max_dns_pointer_hops)
        return fail(why, "more than " + std::to_string(limits.max_dns_pointer_hops) +
                             " compression pointers in one name");
      if (!jumped) pos = at + 2;
      jumped = true;
      at = target;
      continue;
    }
    if ((len & 0xc0) != 0) return fail(why, "a label of an unknown kind");
    wire += len + 1u;
    if (wire > kMaxName) return fail(why, "a name longer than 255 bytes");
    if (len == 0) {
      if (!jumped) pos = at + 1;
      return true;
    }
    if (at + 1 + len > m.size()) return fail(why, "a name runs past the message");
    if (!name.empty()) name += '.';
    for (std::size_t i = 0; i < len; ++i) {
      const char c = m[at + 1 + i];
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f || c == '.' || c == '\\') {
        name += '\\';
        name += static_cast<char>('0' + u / 100);
        name += static_cast<char>('0' + u / 10 % 10);
        name += static_cast<char>('0' + u % 10);
      } else {
        name += lower(c);
      }
    }
    at += 1 + len;
  }
}

}  // namespace

std::optional<std::string> write_query(std::uint16_t id, std::string_view name, std::uint16_t type,
                                       std::string* why) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) {
    fail(why, "an empty name");
    return std::nullopt;
  }
  std::string out;
  put16(out, id);
  put16(out, 0x0120);  // RD, AD
  put16(out, 1);
  put16(out, 0);
  put16(out, 0);
  put16(out, 0);
  std::size_t begin = 0;
  for (;;) {
    const std::size_t dot = name.find('.', begin);
    const std::string_view label = name.substr(begin, dot - begin);
    if (label.empty() || label.size() > 63) {
      fail(why, "a label that is empty or longer than 63 bytes");
      return std::nullopt;
    }
    for (char c : label) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f) {
        fail(why, "a name with spaces, controls or non-ASCII bytes (use its A-label form)");
        return std::nullopt;
      }
    }
    out += static_cast<char>(label.size());
    out.append(label);
    if (dot == std::string_view::npos) break;
    begin = dot + 1;
  }
  out += '\0';
  if (out.size() - kHeader > kMaxName) {
    fail(why, "a name longer than 255 bytes");
    return std::nullopt;
  }
  put16(out, type);
  put16(out, kClassIn);
  return out;
}

std::optional<Response> parse_response(std::string_view m, std::string* why, const Limits& limits) {
  Response r;
  if (m.size() < kHeader || m.size() > kMaxMessage) {
    fail(why, "shorter than a DNS header, or longer than 65535 bytes");
    return std::nullopt;
  }
  r.id = u16(m, 0);
  const std::uint16_t flags = u16(m, 2);
  if ((flags & 0x8000) == 0) {
    fail(why, "a query, not a response");
    return std::nullopt;
  }
  r.truncated = (flags & 0x0200) != 0;
  r.authenticated = (flags & 0x0020) != 0;
  r.rcode = flags & 0x000f;
  const std::uint16_t qd = u16(m, 4), an = u16(m, 6);
  std::size_t pos = kHeader;
  std::string name;
  for (std::uint16_t i = 0; i < qd; ++i) {
    if (!read_name(m, pos, name, limits, why)) return std::nullopt;
    if (pos + 4 > m.size()) {
      fail(why, "a question runs past the message");
      return std::nullopt;
    }
    if (i == 0) {
      r.question = name;
      r.question_type = u16(m, pos);
    }
    pos += 4;
  }
  for (std::uint16_t i = 0; i < an; ++i) {
    Record rec;
    if (!read_name(m, pos, rec.name, limits, why)) return std::nullopt;
    if (pos + 10 > m.size()) {
      fail(why, "a record runs past the message");
      return std::nullopt;
    }
    rec.type = u16(m, pos);
    const std::uint16_t klass = u16(m, pos + 2);
    rec.ttl = u32(m, pos + 4);
    const std::uint16_t rdlength = u16(m, pos + 8);
    pos += 10;
    if (pos + rdlength > m.size()) {
      fail(why, "record data runs past the message");
      return std::nullopt;
    }
    const std::string_view rdata = m.substr(0, pos + rdlength);  // names may point before it
    const std::size_t end = pos + rdlength;
    bool keep = klass == kClassIn;
    std::size_t at = pos;
    switch (rec.type) {
      case kTypeA:
      case kTypeAaaa:
        if (rdlength != (rec.type == kTypeA ? 4 : 16)) {
          fail(why, "an address record of the wrong length");
          return std::nullopt;
        }
        rec.address = std::string(m.substr(pos, rdlength));
        break;
      case kTypeMx:
        if (rdlength < 3) {
          fail(why, "an MX record too short");
          return std::nullopt;
        }
        rec.preference = u16(m, pos);
        at = pos + 2;
        if (!read_name(rdata, at, rec.target, limits, why)) return std::nullopt;
        if (at != end) {
          fail(why, "an MX record with bytes after its name");
          return std::nullopt;
        }
        break;
      case kTypeSrv:
        if (rdlength < 7) {
          fail(why, "an SRV record too short");
          return std::nullopt;
        }
        rec.priority = u16(m, pos);
        rec.weight = u16(m, pos + 2);
        rec.port = u16(m, pos + 4);
        at = pos + 6;
        if (!read_name(rdata, at, rec.target, limits, why)) return std::nullopt;
        if (at != end) {
          fail(why, "an SRV record with bytes after its name");
          return std::nullopt;
        }
        if (rec.target.empty()) rec.target = ".";  // RFC 2782: the service is not offered
        break;
      case kTypeCname:
        if (!read_name(rdata, at, rec.target, limits, why)) return std::nullopt;
        if (at != end) {
          fail(why, "a CNAME record with bytes after its name");
          return std::nullopt;
        }
        break;
      default:
        keep = false;  // other types (RRSIG, ...) are skipped
    }
    pos = end;
    if (keep) {
      if (r.answers.size() >= limits.max_dns_records) {
        fail(why, "more than " + std::to_string(limits.max_dns_records) + " answer records");
        return std::nullopt;
      }
      r.answers.push_back(std::move(rec));
    }
  }
  return r;
}

TcpFramer::Result TcpFramer::feed(std::string_view bytes) {
  Result res{status_, 0};
  if (status_ != Status::need_more) return res;
  while (length_.size() < 2 && res.used < bytes.size())
    length_ += bytes[res.used++];
  if (length_.size() < 2) return res;
  want_ = u16(length_, 0);
  if (want_ < kHeader) {
    status_ = res.status = Status::error;
    return res;
  }
  const std::size_t take = std::min(want_ - message_.size(), bytes.size() - res.used);
  message_.append(bytes.substr(res.used, take));
  res.used += take;
  if (message_.size() == want_) status_ = Status::done;
  res.status = status_;
  return res;
}

}  // namespace mv::dns
