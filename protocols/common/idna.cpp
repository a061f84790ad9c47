// SPDX-License-Identifier: Apache-2.0
#include "protocols/common/idna.hpp"

#include <cstdint>
#include <vector>

#include "protocols/common/utf8.hpp"

namespace mv {

namespace {

// RFC 3492 section 5.
constexpr std::uint32_t kBase = 36, kTmin = 1, kTmax = 26, kSkew = 38, kDamp = 700;
constexpr std::uint32_t kInitialBias = 72, kInitialN = 128;
constexpr std::size_t kMaxLabel = 63, kMaxName = 253;

std::uint32_t adapt(std::uint32_t delta, std::uint32_t points, bool first) {
  delta = first ? delta / kDamp : delta / 2;
  delta += delta / points;
  std::uint32_t k = 0;
  while (delta > ((kBase - kTmin) * kTmax) / 2) {
    delta /= kBase - kTmin;
    k += kBase;
  }
  return k + (kBase - kTmin + 1) * delta / (delta + kSkew);
}

char encode_digit(std::uint32_t d) {
  return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26));
}

std::optional<std::uint32_t> decode_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint32_t>(c - '0' + 26);
  if (c >= 'a' && c <= 'z') return static_cast<std::uint32_t>(c - 'a');
  if (c >= 'A' && c <= 'Z') return static_cast<std::uint32_t>(c - 'A');
  return std::nullopt;
}

std::uint32_t threshold(std::uint32_t k, std::uint32_t bias) {
  return k <= bias ? kTmin : k >= bias + kTmax ? kTmax : k - bias;
}

// UTF-8 to code points; nullopt on any malformed, overlong or surrogate sequence.
std::optional<std::u32string> utf8_decode(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::uint32_t cp;
    std::size_t n;
    if (b < 0x80) {
      cp = b, n = 1;
    } else if ((b & 0xe0) == 0xc0) {
      cp = b & 0x1f, n = 2;
    } else if ((b & 0xf0) == 0xe0) {
      cp = b & 0x0f, n = 3;
    } else if ((b & 0xf8) == 0xf0) {
      cp = b & 0x07, n = 4;
    } else {
      return std::nullopt;
    }
    if (i + n > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (c & 0x3f);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
    out.push_back(cp);
    i += n;
  }
  return out;
}

// Lower case for ASCII and the scripts most mail domains use (see the header).
char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xc0 && c <= 0xde && c != 0xd7)) return c + 32;   // Latin-1
  if (c >= 0x100 && c <= 0x137 && c % 2 == 0) return c + 1;   // Latin Ext-A
  if (c >= 0x139 && c <= 0x148 && c % 2 == 1) return c + 1;   // Ĺ..Ň
  if (c >= 0x14a && c <= 0x177 && c % 2 == 0) return c + 1;   // Ŋ..Ŷ
  if (c == 0x178) return 0xff;                                // Ÿ
  if (c >= 0x179 && c <= 0x17e && c % 2 == 1) return c + 1;   // Ź..Ž
  if (c >= 0x391 && c <= 0x3ab && c != 0x3a2) return c + 32;  // Greek
  if (c >= 0x410 && c <= 0x42f) return c + 32;                // Cyrillic А..Я
  if (c >= 0x400 && c <= 0x40f) return c + 80;                // Ѐ..Џ
  return c;
}

bool ldh(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool fail(std::string* why, std::string text) {
  if (why) *why = std::move(text);
  return false;
}

// One label to its A-label (or lower-case ASCII) form.
bool label_to_ascii(std::string_view label, std::string& out, std::string* why) {
  if (label.empty()) return fail(why, "empty label");
  auto points = utf8_decode(label);
  if (!points) return fail(why, "not valid UTF-8");
  bool ascii = true;
  for (char32_t& c : *points) {
    c = to_lower(c);
    if (c < 0x80 && !ldh(c)) return fail(why, "character not allowed in a domain name");
    if (c >= 0x80 &&
        (c <= 0xa0 || c == 0xad || (c >= 0x2000 && c <= 0x206f) || c == 0x3000 || c == 0xfeff))
      return fail(why, "space, control or invisible character in a domain name");
    if (c >= 0x80) ascii = false;
  }
  if (points->front() == '-' || points->back() == '-')
    return fail(why, "a label starts or ends with a hyphen");
  std::string result;
  if (ascii) {
    for (char32_t c : *points)
      result += static_cast<char>(c);
    // An A-label typed as such must be one (RFC 5891 5.4).
    if (result.size() > 4 && result.compare(0, 4, "xn--") == 0) {
      auto decoded = punycode_decode(std::string_view(result).substr(4));
      if (!decoded || decoded->empty()) return fail(why, "an xn-- label that does not decode");
      const auto back = punycode_encode(*decoded);
      if (!back || *back != result.substr(4))
        return fail(why, "an xn-- label that is not canonical");
      // Its U-label must be one we would accept and encode to the same A-label: no controls,
      // spaces or upper case hiding behind "xn--".
      std::string unicode, again;
      for (char32_t c : *decoded)
        append_utf8(unicode, c);
      if (!label_to_ascii(unicode, again, nullptr) || again != result)
        return fail(why, "an xn-- label whose Unicode form is not a valid label");
    } else if (result.size() >= 4 && result[2] == '-' && result[3] == '-') {
      return fail(why, "a label with hyphens in the third and fourth place");
    }
  } else {
    auto encoded = punycode_encode(*points);
    if (!encoded) return fail(why, "label too long");
    result = "xn--" + *encoded;
  }
  if (result.size() > kMaxLabel) return fail(why, "a label longer than 63 characters");
  out += result;
  return true;
}

}  // namespace

std::optional<std::string> punycode_encode(const std::u32string& input) {
  std::string out;
  for (char32_t c : input)
    if (c < 0x80) out += static_cast<char>(c);
  const std::uint32_t basic = static_cast<std::uint32_t>(out.size());
  std::uint32_t handled = basic;
  if (basic > 0) out += '-';
  std::uint32_t n = kInitialN, delta = 0, bias = kInitialBias;
  const auto total = static_cast<std::uint32_t>(input.size());
  while (handled < total) {
    std::uint32_t m = UINT32_MAX;
    for (char32_t c : input)
      if (c >= n && c < m) m = c;
    if ((m - n) > (UINT32_MAX - delta) / (handled + 1)) return std::nullopt;
    delta += (m - n) * (handled + 1);
    n = m;
    for (char32_t c : input) {
      if (c < n && ++delta == 0) return std::nullopt;
      if (c != n) continue;
      std::uint32_t q = delta;
      for (std::uint32_t k = kBase;; k += kBase) {
        const std::uint32_t t = threshold(k, bias);
        if (q < t) break;
        out += encode_digit(t + (q - t) % (kBase - t));
        q = (q - t) / (kBase - t);
      }
      out += encode_digit(q);
      bias = adapt(delta, handled + 1, handled == basic);
      delta = 0;
      ++handled;
    }
    ++delta;
    ++n;
  }
  return out;
}

std::optional<std::u32string> punycode_decode(std::string_view in) {
  std::u32string out;
  std::size_t start = 0;
  if (const auto dash = in.rfind('-'); dash != std::string_view::npos) {
    for (std::size_t i = 0; i < dash; ++i) {
      if (static_cast<unsigned char>(in[i]) >= 0x80) return std::nullopt;
      out.push_back(static_cast<unsigned char>(in[i]));
    }
    start = dash + 1;
  }
  std::uint32_t n = kInitialN, i = 0, bias = kInitialBias;
  for (std::size_t pos = start; pos < in.size();) {
    const std::uint32_t old_i = i;
    std::uint32_t w = 1;
    for (std::uint32_t k = kBase;; k += kBase) {
      if (pos >= in.size()) return std::nullopt;
      const auto digit = decode_digit(in[pos++]);
      if (!digit || *digit > (UINT32_MAX - i) / w) return std::nullopt;
      i += *digit * w;
      const std::uint32_t t = threshold(k, bias);
      if (*digit < t) break;
      if (w > UINT32_MAX / (kBase - t)) return std::nullopt;
      w *= kBase - t;
    }
    const auto count = static_cast<std::uint32_t>(out.size() + 1);
    bias = adapt(i - old_i, count, old_i == 0);
    if (i / count > 0x10ffff - n) return std::nullopt;
    n += i / count;
    i %= count;
    if (n < 0x80 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return std::nullopt;
    if (out.size() >= kMaxName) return std::nullopt;
    out.insert(out.begin() + i, n);
    ++i;
  }
  return out;
}

std::optional<std::string> domain_to_ascii(std::string_view domain, std::string* why) {
  // One trailing dot (the root) is allowed, as DNS writes it.
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  std::string out;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t dot = domain.find('.', begin);
    const std::string_view label = domain.substr(begin, dot - begin);
    if (!label_to_ascii(label, out, why)) return std::nullopt;
    if (dot == std::string_view::npos) break;
    out += '.';
    begin = dot + 1;
  }
  if (out.size() > kMaxName) {
    fail(why, "a name longer than 253 characters");
    return std::nullopt;
  }
  return out;
}

std::string domain_to_unicode(std::string_view domain) {
  std::string out;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t dot = domain.find('.', begin);
    const std::string_view label = domain.substr(begin, dot - begin);
    std::optional<std::u32string> decoded;
    if (label.size() > 4 && (label.substr(0, 4) == "xn--" || label.substr(0, 4) == "XN--"))
      decoded = punycode_decode(label.substr(4));
    if (decoded) {
      for (char32_t c : *decoded)
        append_utf8(out, c);
    } else {
      out += label;
    }
    if (dot == std::string_view::npos) break;
    out += '.';
    begin = dot + 1;
  }
  return out;
}

}  // namespace mv
