// SPDX-License-Identifier: Apache-2.0
// DotStuffer then DotUnstuffer: the round trip gives back the input with its line ends normalised
// to CRLF (and a CRLF added to a last line without one), in any chunking, consuming the stuffed
// data exactly up to its terminator; the stuffed data never holds a "." line before the end. Also
// DotUnstuffer alone on raw input: whole and chunked decoding agree on the text, the bytes used
// and finished(); nothing is decoded after the terminator. Option bytes: two chunking seeds.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/common/dot_stuffing.hpp"

namespace {

std::string normalise(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r') {
      out += "\r\n";
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else if (in[i] == '\n') {
      out += "\r\n";
    } else {
      out += in[i];
    }
  }
  if (!out.empty() && (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0)) {
    out += "\r\n";
  }
  return out;
}

std::string stuff(const std::vector<std::string_view>& chunks) {
  mv::DotStuffer stuffer;
  std::string out;
  for (std::string_view c : chunks)
    stuffer.encode(c, out);
  stuffer.finish(out);
  return out;
}

struct Unstuffed {
  std::string text;
  std::size_t used = 0;
  bool finished = false;
  bool operator==(const Unstuffed&) const = default;
};

Unstuffed unstuff(const std::vector<std::string_view>& chunks) {
  mv::DotUnstuffer u;
  Unstuffed r;
  for (std::string_view c : chunks) {
    const bool was_finished = u.finished();
    const std::size_t n = u.decode(c, r.text);
    FUZZ_CHECK(n <= c.size(), "decode used more than given");
    if (was_finished) FUZZ_CHECK(n == 0, "decode used bytes after the terminator");
    if (n < c.size()) FUZZ_CHECK(u.finished(), "decode stopped short without the terminator");
    r.used += n;
  }
  r.finished = u.finished();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t seed1 = in.byte();
  const std::uint8_t seed2 = in.byte();
  const std::string_view text = in.rest();

  // Round trip.
  const std::string stuffed = stuff({text});
  FUZZ_CHECK(stuff(mv::fuzz::split(text, seed1)) == stuffed, "chunking changed the stuffed data");
  FUZZ_CHECK(stuffed.size() >= 3 && stuffed.substr(stuffed.size() - 3) == ".\r\n", "no terminator");
  FUZZ_CHECK(stuffed.find("\r\n.\r\n") == stuffed.size() - 5 || stuffed == ".\r\n",
             "a \".\" line before the end");
  const std::string expected = normalise(text);
  for (const auto& chunks :
       {std::vector<std::string_view>{stuffed}, mv::fuzz::split(stuffed, seed2)}) {
    const Unstuffed back = unstuff(chunks);
    FUZZ_CHECK(back.finished, "round trip did not finish");
    FUZZ_CHECK(back.used == stuffed.size(), "round trip did not use the whole stuffed data");
    FUZZ_CHECK(back.text == expected, "round trip changed the text");
  }

  // The un-stuffer alone on whatever a server might send.
  const Unstuffed whole = unstuff({text});
  FUZZ_CHECK(whole.text.size() <= whole.used, "un-stuffing grew the text");
  FUZZ_CHECK(unstuff(mv::fuzz::split(text, seed2)) == whole, "chunking changed the un-stuffing");
  return 0;
}
