// SPDX-License-Identifier: Apache-2.0
// ImapFramer: the whole input and a chunked feed give the same segments and literal bytes (literal
// chunks merged, since their boundaries follow the feed) and the same error; the buffer stays
// within max_line; a literal delivers exactly its announced size and is followed by the rest of
// its line; and the pieces written back out (segments + CRLF, literal bytes raw) frame to the same
// pieces. Option bytes: limits, chunking.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/imap/framer.hpp"

namespace {

struct Piece {
  bool segment = true;
  std::string data;
  std::optional<std::uint64_t> literal;  // segment: announced literal
  bool last = false;                     // literal: complete

  bool operator==(const Piece&) const = default;
};

struct Run {
  std::vector<Piece> pieces;
  std::string error;
};

Run frame(const std::vector<std::string_view>& chunks, const mv::Limits& limits) {
  Run run;
  mv::ImapFramer framer(limits);
  std::uint64_t announced = 0;  // of the literal being delivered
  std::uint64_t delivered = 0;
  bool after_literal = false;  // a literal ended: the next piece continues its line
  auto drain = [&] {
    bool any = false;
    for (;;) {
      const mv::ImapFramer::Piece p = framer.next();
      FUZZ_CHECK(framer.buffered() <= limits.max_line, "framer buffer above max_line");
      if (p.kind == mv::ImapFramer::Kind::need_more || p.kind == mv::ImapFramer::Kind::error)
        return any;
      any = true;
      if (p.kind == mv::ImapFramer::Kind::segment) {
        FUZZ_CHECK(run.pieces.empty() || !(!run.pieces.back().segment && !run.pieces.back().last),
                   "segment inside a literal");
        FUZZ_CHECK(p.data.find('\n') == std::string_view::npos, "LF inside a segment");
        if (p.literal) {
          FUZZ_CHECK(*p.literal <= limits.max_literal, "literal above max_literal");
          announced = *p.literal;
          delivered = 0;
        }
        after_literal = false;
        run.pieces.push_back(Piece{true, std::string(p.data), p.literal, false});
        continue;
      }
      FUZZ_CHECK(!after_literal, "literal after a finished literal");
      FUZZ_CHECK(!run.pieces.empty(), "literal without a segment");
      delivered += p.data.size();
      FUZZ_CHECK(delivered <= announced, "literal longer than announced");
      FUZZ_CHECK(p.last == (delivered == announced), "last flag wrong");
      if (p.last) after_literal = true;
      Piece& back = run.pieces.back();
      if (!back.segment && !back.last) {
        back.data.append(p.data);
        back.last = p.last;
      } else {
        FUZZ_CHECK(back.segment && back.literal, "literal not announced");
        run.pieces.push_back(Piece{false, std::string(p.data), std::nullopt, p.last});
      }
    }
  };
  for (std::string_view chunk : chunks) {
    while (!chunk.empty()) {
      const bool failed_before = static_cast<bool>(framer.error());
      const std::size_t n = framer.feed(chunk);
      // The documented contract: after an error feed() swallows everything, so a caller's
      // feed/next loop cannot spin.
      FUZZ_CHECK(!failed_before || n == chunk.size(), "feed after an error did not swallow");
      FUZZ_CHECK(n <= chunk.size(), "feed took more than given");
      chunk.remove_prefix(n);
      const bool progressed = drain();
      FUZZ_CHECK(n > 0 || progressed || framer.error(), "feed and next made no progress");
    }
  }
  drain();
  if (framer.error()) {
    FUZZ_CHECK(mv::fuzz::starts_with(framer.error().code, "imap."), framer.error().code);
    run.error = framer.error().code + "|" + framer.error().detail;
    FUZZ_CHECK(framer.feed("* OK\r\n") == 6, "feed after error must swallow");
    FUZZ_CHECK(framer.next().kind == mv::ImapFramer::Kind::error, "error not sticky");
  }
  return run;
}

std::string serialise(const std::vector<Piece>& pieces) {
  std::string out;
  for (const Piece& p : pieces) {
    out += p.data;
    if (p.segment) out += "\r\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t opt = in.byte();
  const std::uint8_t seed = in.byte();
  mv::Limits limits;
  if (opt & 1u) limits.max_line = 2 + (opt >> 1);
  if (opt & 2u) limits.max_literal = 64;
  const std::string_view stream = in.rest();

  const Run whole = frame({stream}, limits);
  const Run chunked = frame(mv::fuzz::split(stream, seed), limits);
  FUZZ_CHECK(whole.pieces == chunked.pieces, "chunking changed the pieces");
  FUZZ_CHECK(whole.error == chunked.error, whole.error + " vs " + chunked.error);

  mv::Limits relaxed = limits;
  relaxed.max_line = limits.max_line + 2;  // a bare LF comes back as CRLF
  const Run reframed = frame({serialise(whole.pieces)}, relaxed);
  FUZZ_CHECK(reframed.error.empty(), reframed.error);
  FUZZ_CHECK(reframed.pieces == whole.pieces, "frame -> serialise -> frame differs");
  return 0;
}
