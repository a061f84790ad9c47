// SPDX-License-Identifier: Apache-2.0
// Pop3ReplyReader: the first byte chooses what follows each +OK (nothing: status mode; a list; a
// payload; or per status from the next byte's bits). The whole input and a chunked feed give the
// same statuses, continuations, list items, payload text (chunks merged) and the same error, also
// at EOF. List items also go through the CAPA/UIDL/LIST/STAT line parsers (a UID they accept is a
// valid RFC 1939 unique-id), status texts through apop_timestamp.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/pop3/reply.hpp"

namespace {

using mv::fuzz::put;
using Result = mv::Pop3ReplyReader::Result;

struct Run {
  std::vector<std::string> log;
  std::string error;
};

struct Side {  // the line parsers fed with list items; only checked, not compared
  mv::Pop3Capabilities caps;
  std::vector<mv::Pop3Listing> uidl, list;
  mv::Error caps_error, uidl_error, list_error;
};

void check_items(std::string_view item, const mv::Limits& limits, Side& side) {
  if (!side.caps_error) mv::add_capability_line(item, side.caps, limits, side.caps_error);
  if (!side.uidl_error && mv::add_uidl_line(item, side.uidl, side.uidl_error, 8)) {
    FUZZ_CHECK(side.uidl.size() <= 8, "UIDL listing above its bound");
    FUZZ_CHECK(mv::valid_uid(side.uidl.back().uid), side.uidl.back().uid);
  }
  if (!side.list_error) mv::add_list_line(item, side.list, side.list_error, 8);
  FUZZ_CHECK(side.list.size() <= 8, "LIST listing above its bound");
  std::uint32_t count = 0;
  std::uint64_t size = 0;
  mv::parse_stat(item, count, size);
}

Run read(const std::vector<std::string_view>& chunks, const mv::Limits& limits, std::uint8_t mode,
         std::uint8_t bits) {
  Run run;
  Side side;
  mv::Pop3ReplyReader reader(limits);
  unsigned statuses = 0;
  auto drain = [&] {
    bool any = false;
    for (;;) {
      const Result r = reader.next();
      switch (r) {
        case Result::need_more:
        case Result::error:
          return any;
        case Result::status: {
          const mv::Pop3Status& st = reader.status();
          std::string s = st.ok ? "+" : "-";
          put(s, st.code);
          put(s, st.text);
          run.log.push_back(std::move(s));
          (void)mv::apop_timestamp(st.text);
          (void)st.words();
          if (st.ok) {
            unsigned m = mode & 3u;
            if (m == 3) m = (bits >> (2 * (statuses % 4))) & 3u;
            ++statuses;
            if (m == 1) reader.expect_list();
            if (m == 2) reader.expect_payload();
            FUZZ_CHECK(reader.in_body() == (m == 1 || m == 2), "in_body wrong after expect");
          }
          break;
        }
        case Result::continuation:
          run.log.push_back("C" + std::string(reader.continuation()));
          break;
        case Result::list_item:
          run.log.push_back("I" + std::string(reader.item()));
          check_items(reader.item(), limits, side);
          break;
        case Result::list_end:
          run.log.push_back(".");
          FUZZ_CHECK(!reader.in_body(), "still in body after list_end");
          break;
        case Result::payload:
          // A chunk is at most output_chunk raw bytes plus what the un-stuffer held back from the
          // previous one (a "." and a CR).
          FUZZ_CHECK(reader.payload().size() <= limits.output_chunk + 2, "payload chunk too large");
          if (run.log.empty() || run.log.back().front() != 'P') run.log.push_back("P");
          run.log.back().append(reader.payload());
          break;
        case Result::payload_end:
          run.log.push_back("E");
          FUZZ_CHECK(!reader.in_body(), "still in body after payload_end");
          break;
      }
      any = true;
    }
  };
  for (std::string_view chunk : chunks) {
    while (!chunk.empty()) {
      const bool failed_before = static_cast<bool>(reader.error());
      const std::size_t n = reader.feed(chunk);
      // The documented contract: after an error feed() swallows everything, so a caller's
      // feed/next loop cannot spin.
      FUZZ_CHECK(!failed_before || n == chunk.size(), "feed after an error did not swallow");
      FUZZ_CHECK(n <= chunk.size(), "feed took more than given");
      chunk.remove_prefix(n);
      const bool progressed = drain();
      FUZZ_CHECK(n > 0 || progressed || reader.error(), "feed and next made no progress");
    }
  }
  drain();
  const bool truncated = reader.on_eof();
  run.log.push_back(truncated ? "EOF-truncated" : "EOF");
  if (reader.error()) {
    const mv::Error& e = reader.error();
    FUZZ_CHECK(mv::fuzz::starts_with(e.code, "pop3."), e.code);
    FUZZ_CHECK(e.category == mv::Category::protocol || e.category == mv::Category::network, e.code);
    run.error = e.code + "|" + e.detail + "|" + e.server_says;
    FUZZ_CHECK(reader.next() == Result::error, "error not sticky");
  }
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t mode = in.byte();
  const std::uint8_t bits = in.byte();
  const std::uint8_t seed = in.byte();
  mv::Limits limits;
  if (mode & 4u) {
    limits.max_line = 24;
    limits.output_chunk = 7;
    limits.max_capabilities = 3;
  }
  const std::string_view stream = in.rest();
  const Run whole = read({stream}, limits, mode, bits);
  const Run chunked = read(mv::fuzz::split(stream, seed), limits, mode, bits);
  FUZZ_CHECK(whole.log == chunked.log, "chunking changed the results");
  FUZZ_CHECK(whole.error == chunked.error, whole.error + " vs " + chunked.error);
  return 0;
}
