// SPDX-License-Identifier: Apache-2.0
// Parser throughput: feeds large synthetic server output through the real protocol readers in
// 16 KiB chunks (one TLS record) and reports MB/s next to a plain memchr line scan of the same
// buffer, the least work any line-based reader must do. Not a test: no pass/fail, never run by
// ctest. Built with -DMAILVERIFY_BENCH=ON; tests/bench/run.sh runs it.
//   parser_throughput [MiB per buffer, default 64] [runs, default 5]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/response.hpp"
#include "protocols/pop3/reply.hpp"
#include "protocols/smtp/reply_parser.hpp"

namespace {

using namespace mv;

constexpr std::size_t kChunk = 16 * 1024;

// Message text: 76-character lines, every 40th starting with a dot (dot-stuffing matters for POP3).
std::string message_text(std::size_t size, bool dot_stuffed) {
  std::string text;
  text.reserve(size + 128);
  for (std::size_t line = 0; text.size() < size; ++line) {
    if (line % 40 == 0) text += dot_stuffed ? ".." : ".";
    while (text.size() % 78 < 76 && text.size() < size)
      text += static_cast<char>('a' + line % 26);
    text += "\r\n";
  }
  return text;
}

class CountingSink final : public LiteralSink {
 public:
  void literal_begin(std::uint32_t, std::string_view, std::uint64_t) override {}
  void literal_data(std::string_view chunk) override { bytes += chunk.size(); }
  void literal_end() override { ++literals; }
  std::uint64_t bytes = 0;
  std::uint64_t literals = 0;
};

// Feeds `input` in kChunk pieces; `drain` empties the parser after each feed and returns false on
// error. Returns false when the parser failed.
template <typename Parser, typename Drain>
bool feed_all(Parser& parser, std::string_view input, Drain drain) {
  while (!input.empty()) {
    std::string_view chunk = input.substr(0, kChunk);
    input.remove_prefix(chunk.size());
    while (!chunk.empty()) {
      chunk.remove_prefix(parser.feed(chunk));
      if (!drain()) return false;
    }
  }
  return true;
}

std::uint64_t run_imap(std::string_view input) {
  CountingSink sink;
  ImapResponseReader reader;
  reader.set_sink(&sink);
  ImapResponse response;
  std::uint64_t responses = 0;
  bool ok = feed_all(reader, input, [&] {
    for (;;) {
      auto st = reader.next(response);
      if (st == ImapResponseReader::Status::need_more) return true;
      if (st == ImapResponseReader::Status::error) return false;
      ++responses;
    }
  });
  if (!ok || responses != 2 || sink.literals != 1) {
    std::fprintf(stderr, "imap: failed (%s)\n", reader.error().detail.c_str());
    std::exit(1);
  }
  return sink.bytes;
}

std::uint64_t run_smtp(std::string_view input) {
  SmtpReplyParser parser;
  SmtpReply reply;
  std::uint64_t replies = 0;
  bool ok = feed_all(parser, input, [&] {
    for (;;) {
      auto st = parser.next(reply);
      if (st == SmtpReplyParser::Status::need_more) return true;
      if (st == SmtpReplyParser::Status::error) return false;
      ++replies;
    }
  });
  if (!ok) {
    std::fprintf(stderr, "smtp: failed (%s)\n", parser.error().detail.c_str());
    std::exit(1);
  }
  return replies;
}

std::uint64_t run_pop3(std::string_view input) {
  Pop3ReplyReader reader;
  std::uint64_t bytes = 0;
  bool ended = false;
  bool ok = feed_all(reader, input, [&] {
    for (;;) {
      switch (reader.next()) {
        case Pop3ReplyReader::Result::status:
          if (!reader.status().ok) return false;
          reader.expect_payload();
          break;
        case Pop3ReplyReader::Result::payload:
          bytes += reader.payload().size();
          break;
        case Pop3ReplyReader::Result::payload_end:
          ended = true;
          break;
        case Pop3ReplyReader::Result::need_more:
          return true;
        default:
          return false;
      }
    }
  });
  if (!ok || !ended) {
    std::fprintf(stderr, "pop3: failed (%s)\n", reader.error().detail.c_str());
    std::exit(1);
  }
  return bytes;
}

std::uint64_t run_memchr(std::string_view input) {
  std::uint64_t lines = 0;
  const char* p = input.data();
  const char* end = p + input.size();
  while (const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
    ++lines;
    p = static_cast<const char*>(hit) + 1;
  }
  return lines;
}

volatile std::uint64_t g_sink;  // keeps the results alive

template <typename F>
double median_seconds(F f, int runs) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    g_sink = g_sink + f();
    auto t1 = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void report(const char* name, std::string_view input, int runs,
            std::uint64_t (*parse)(std::string_view)) {
  const double mb = static_cast<double>(input.size()) / 1e6;
  const double parser = median_seconds([&] { return parse(input); }, runs);
  const double scan = median_seconds([&] { return run_memchr(input); }, runs);
  std::printf("| %-38s | %8.1f | %9.0f | %11.0f | %8.2fx |\n", name, mb, mb / parser, mb / scan,
              parser / scan);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (mib == 0 || mib > 200 || runs <= 0) {
    std::fprintf(stderr, "usage: parser_throughput [MiB 1..200] [runs]\n");
    return 2;
  }
  const std::size_t size = mib * 1024 * 1024;

  const std::string body = message_text(size, false);
  std::string imap = "* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[] {" + std::to_string(body.size()) +
                     "}\r\n" + body + ")\r\nA7 OK FETCH completed\r\n";

  const std::string ehlo =
      "250-mail.example.org Hello client.example.net [192.0.2.1]\r\n250-PIPELINING\r\n"
      "250-SIZE 52428800\r\n250-ETRN\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n"
      "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";
  std::string smtp;
  smtp.reserve(size + ehlo.size());
  while (smtp.size() < size)
    smtp += ehlo;

  std::string pop3 =
      "+OK " + std::to_string(size) + " octets\r\n" + message_text(size, true) + ".\r\n";

  std::printf("| %-38s | %8s | %9s | %11s | %9s |\n", "parser (16 KiB feeds)", "MB", "MB/s",
              "memchr MB/s", "time/memchr");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(40, '-').c_str(), std::string(10, '-').c_str(),
              std::string(11, '-').c_str(), std::string(13, '-').c_str(),
              std::string(13, '-').c_str());
  report("ImapResponseReader: FETCH, 1 literal", imap, runs, run_imap);
  report("SmtpReplyParser: 10-line EHLO replies", smtp, runs, run_smtp);
  report("Pop3ReplyReader: RETR payload", pop3, runs, run_pop3);
  std::printf(
      "(median of %d runs; time/memchr = parser time / memchr line-scan time; IMAP literal bytes "
      "are passed through unscanned)\n",
      runs);
  return 0;
}
