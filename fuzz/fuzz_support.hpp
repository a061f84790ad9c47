// SPDX-License-Identifier: Apache-2.0
// Shared by the fuzz targets: an assertion that aborts (so libFuzzer and the replay main both
// report it), option bytes taken from the front of the input, and the chunkings used to check that
// a parser gives the same result whatever the split (DESIGN.md habits 6 and 7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace mv::fuzz {

[[noreturn]] inline void check_failed(const char* expr, const char* file, int line,
                                      std::string_view what) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s (%.*s)\n", file, line, expr,
               static_cast<int>(what.size()), what.data());
  std::abort();
}

#define FUZZ_CHECK(cond, what)                                                \
  do {                                                                        \
    if (!(cond)) ::mv::fuzz::check_failed(#cond, __FILE__, __LINE__, (what)); \
  } while (0)

// Option bytes first, then the payload. Missing option bytes read as 0.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // Up to n bytes (fewer at the end).
  std::string_view bytes(std::size_t n) {
    const std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(out.size());
    return out;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// How to split a byte stream into the chunks fed one after another. The seed byte picks the mode:
// low two bits 0: one byte at a time; 1: after every LF (the way a server's turns arrive), except
// that the last (seed >> 2) + 1 lines come as one chunk when seed >> 2 is not 0 (a server that
// pipelines or injects: "220 go ahead" and what follows in one read); 2 and 3: pseudo-random sizes
// 1..(seed >> 2) + 1, from a xorshift generator seeded by the byte.
inline std::vector<std::string_view> split(std::string_view data, std::uint8_t seed) {
  std::vector<std::string_view> out;
  const unsigned mode = seed & 3u;
  std::uint32_t state = 0x9e3779b9u ^ seed;
  const std::size_t max_size = (seed >> 2) + 1u;
  // Mode 1: where the joined tail starts (the start of the (seed >> 2) + 1'th line from the end).
  std::size_t tail = data.size();
  if (mode == 1 && (seed >> 2) != 0) {
    std::size_t end = data.size();
    if (end > 0 && data[end - 1] == '\n') --end;  // the last line's own LF
    tail = 0;                                     // fewer lines than that: all in one chunk
    for (unsigned lines = 0; lines <= (seed >> 2u) && end > 0; ++lines) {
      const std::size_t lf = data.rfind('\n', end - 1);
      if (lf == std::string_view::npos) break;
      end = lf;
      if (lines == (seed >> 2u)) tail = lf + 1;
    }
  }
  std::size_t pos = 0;
  while (!data.empty()) {
    std::size_t n = 1;
    if (mode == 1 && pos >= tail) {
      n = data.size();
    } else if (mode == 1) {
      const std::size_t lf = data.find('\n');
      n = lf == std::string_view::npos ? data.size() : lf + 1;
    } else if (mode >= 2) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      n = 1 + state % max_size;
    }
    n = n < data.size() ? n : data.size();
    out.push_back(data.substr(0, n));
    data.remove_prefix(n);
    pos += n;
  }
  return out;
}

// Appends a length-prefixed field, so a record of several fields compares unambiguously.
inline void put(std::string& record, std::string_view field) {
  record += std::to_string(field.size());
  record += ':';
  record.append(field.data(), field.size());
  record += ';';
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80             ? 1
                          : (b & 0xe0) == 0xc0 ? 2
                          : (b & 0xf0) == 0xe0 ? 3
                          : (b & 0xf8) == 0xf0 ? 4
                                               : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? b : b & (0x7fu >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace mv::fuzz
