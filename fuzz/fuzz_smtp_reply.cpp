// SPDX-License-Identifier: Apache-2.0
// SmtpReplyParser: the whole input and a chunked feed give the same replies and the same error;
// every reply is well formed within the limits; and the replies, written back out as SMTP lines,
// parse to the same replies (parse -> serialise -> parse). Option bytes: limits, chunking.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/smtp/reply_parser.hpp"

namespace {

using mv::fuzz::put;

struct Run {
  std::vector<mv::SmtpReply> replies;
  std::vector<std::string> records;
  std::string error;
};

std::string record(const mv::SmtpReply& r) {
  std::string s = std::to_string(r.code);
  put(s, r.enhanced ? *r.enhanced : std::string("-"));
  for (const auto& line : r.lines)
    put(s, line);
  return s;
}

Run parse(const std::vector<std::string_view>& chunks, const mv::Limits& limits) {
  Run run;
  mv::SmtpReplyParser parser(limits);
  mv::SmtpReply reply;
  auto drain = [&] {
    bool any = false;
    for (;;) {
      const auto st = parser.next(reply);
      if (st != mv::SmtpReplyParser::Status::reply) return any;
      FUZZ_CHECK(reply.code >= 200 && reply.code <= 559, record(reply));
      FUZZ_CHECK(!reply.lines.empty() && reply.lines.size() <= limits.max_reply_lines,
                 record(reply));
      if (reply.enhanced)
        FUZZ_CHECK(reply.enhanced->front() - '0' == reply.klass(), *reply.enhanced);
      run.records.push_back(record(reply));
      run.replies.push_back(reply);
      any = true;
    }
  };
  for (std::string_view chunk : chunks) {
    while (!chunk.empty()) {
      const bool failed_before = static_cast<bool>(parser.error());
      const std::size_t n = parser.feed(chunk);
      // The documented contract: after an error feed() swallows everything, so a caller's
      // feed/next loop cannot spin.
      FUZZ_CHECK(!failed_before || n == chunk.size(), "feed after an error did not swallow");
      FUZZ_CHECK(n <= chunk.size(), "feed took more than given");
      chunk.remove_prefix(n);
      const bool progressed = drain();
      FUZZ_CHECK(n > 0 || progressed || parser.error(), "feed and next made no progress");
    }
  }
  drain();
  if (parser.error()) {
    FUZZ_CHECK(parser.error().category == mv::Category::protocol, parser.error().code);
    FUZZ_CHECK(mv::fuzz::starts_with(parser.error().code, "smtp."), parser.error().code);
    run.error =
        parser.error().code + "|" + parser.error().detail + "|" + parser.error().server_says;
    // Sticky: more bytes change nothing.
    FUZZ_CHECK(parser.feed("250 ok\r\n") == 8, "feed after error must swallow");
    FUZZ_CHECK(parser.next(reply) == mv::SmtpReplyParser::Status::error, "error not sticky");
  }
  return run;
}

std::string serialise(const std::vector<mv::SmtpReply>& replies) {
  std::string out;
  for (const auto& r : replies) {
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
      out += std::to_string(r.code);
      out += i + 1 < r.lines.size() ? '-' : ' ';
      out += r.lines[i];
      out += "\r\n";
    }
  }
  return out;
}

mv::Limits limits_for(std::uint8_t option) {
  mv::Limits limits;
  switch (option & 3u) {
    case 1:
      limits.max_line = 32;
      limits.max_reply_lines = 4;
      limits.max_reply_bytes = 100;
      break;
    case 2:
      limits.max_line = 1 + (option >> 2);
      limits.max_reply_lines = 1 + (option >> 5);
      break;
    default:
      break;
  }
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const mv::Limits limits = limits_for(in.byte());
  const std::uint8_t seed = in.byte();
  const std::string_view stream = in.rest();

  const Run whole = parse({stream}, limits);
  const Run chunked = parse(mv::fuzz::split(stream, seed), limits);
  FUZZ_CHECK(whole.records == chunked.records, "chunking changed the replies");
  FUZZ_CHECK(whole.error == chunked.error, whole.error + " vs " + chunked.error);

  // Written back with CRLF and the same codes, the replies parse to themselves. The limits are
  // relaxed because "250" comes back as "250 " and a bare LF as CRLF.
  mv::Limits relaxed = limits;
  relaxed.max_line = limits.max_line * 2 + 8;
  relaxed.max_reply_bytes = limits.max_reply_bytes * 2 + 8 * limits.max_reply_lines;
  const std::string again = serialise(whole.replies);
  const Run reparsed = parse({again}, relaxed);
  FUZZ_CHECK(reparsed.error.empty(), reparsed.error);
  FUZZ_CHECK(reparsed.records == whole.records, "parse -> serialise -> parse differs");
  return 0;
}
