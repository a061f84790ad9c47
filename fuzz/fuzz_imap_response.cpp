// SPDX-License-Identifier: Apache-2.0
// ImapResponseReader with a recording LiteralSink: the whole input and a chunked feed give the same
// responses, the same sink calls (data chunks merged) and the same error; sink calls are properly
// nested (begin, data..., end) and a streamed literal delivers exactly its announced size.
// Option bytes: limits, chunking. A mode bit instead hands the rest to parse_imap_response()
// directly (one assembled line), which must be deterministic.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/imap/response.hpp"

namespace {

using mv::fuzz::put;

std::string record(const mv::ImapResponse& r) {
  std::string s = "R";
  s += std::to_string(static_cast<int>(r.kind));
  put(s, r.tag);
  put(s, mv::imap_status_name(r.status));
  if (r.code) {
    put(s, r.code->name);
    put(s, r.code->args);
  } else {
    put(s, "-");
  }
  put(s, r.text);
  put(s, r.keyword);
  put(s, r.number ? std::to_string(*r.number) : "-");
  for (const auto& a : r.atoms)
    put(s, a);
  s += '|';
  for (auto n : r.numbers)
    put(s, std::to_string(n));
  s += '|';
  const mv::ImapFetch& f = r.fetch;
  put(s, f.uid ? std::to_string(*f.uid) : "-");
  if (f.flags) {
    for (const auto& x : *f.flags)
      put(s, x);
  } else {
    s += "noflags";
  }
  put(s, f.internaldate ? *f.internaldate : "-");
  put(s, f.rfc822_size ? std::to_string(*f.rfc822_size) : "-");
  for (const auto& x : f.body_items)
    put(s, x);
  s += '|';
  for (const auto& x : r.list.attributes)
    put(s, x);
  put(s, r.list.separator);
  put(s, r.list.name);
  put(s, r.ns.present ? "ns" : "nons");
  put(s, r.ns.prefix);
  put(s, r.ns.separator);
  return s;
}

// Records sink calls into the run's log, merging data chunks, and checks their nesting.
class RecordingSink final : public mv::LiteralSink {
 public:
  explicit RecordingSink(std::vector<std::string>& log) : log_(log) {}
  void literal_begin(std::uint32_t seq, std::string_view item, std::uint64_t size) override {
    FUZZ_CHECK(!open_, "literal_begin inside a literal");
    open_ = true;
    size_ = size;
    got_ = 0;
    std::string s = "B" + std::to_string(seq);
    put(s, item);
    put(s, std::to_string(size));
    log_.push_back(std::move(s));
    log_.push_back("D");
  }
  void literal_data(std::string_view chunk) override {
    FUZZ_CHECK(open_, "literal_data outside a literal");
    got_ += chunk.size();
    FUZZ_CHECK(got_ <= size_, "more literal data than announced");
    log_.back().append(chunk);
  }
  void literal_end() override {
    FUZZ_CHECK(open_, "literal_end outside a literal");
    FUZZ_CHECK(got_ == size_, "literal ended short of its announced size");
    open_ = false;
    log_.push_back("E");
  }

 private:
  std::vector<std::string>& log_;
  bool open_ = false;
  std::uint64_t size_ = 0;
  std::uint64_t got_ = 0;
};

struct Run {
  std::vector<std::string> log;
  std::string error;
};

Run read(const std::vector<std::string_view>& chunks, const mv::Limits& limits, bool with_sink) {
  Run run;
  RecordingSink sink(run.log);
  mv::ImapResponseReader reader(limits);
  if (with_sink) reader.set_sink(&sink);
  mv::ImapResponse response;
  auto drain = [&] {
    bool any = false;
    for (;;) {
      const std::size_t before = run.log.size();
      const auto st = reader.next(response);
      any = any || run.log.size() != before;
      if (st != mv::ImapResponseReader::Status::response) return any;
      run.log.push_back(record(response));
      response = mv::ImapResponse{};
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
      FUZZ_CHECK(n > 0 || progressed || reader.error() || reader.buffered() < limits.max_line,
                 "feed and next made no progress");
    }
  }
  drain();
  if (reader.error()) {
    FUZZ_CHECK(mv::fuzz::starts_with(reader.error().code, "imap."), reader.error().code);
    FUZZ_CHECK(reader.error().category == mv::Category::protocol, reader.error().code);
    run.error =
        reader.error().code + "|" + reader.error().detail + "|" + reader.error().server_says;
    FUZZ_CHECK(reader.next(response) == mv::ImapResponseReader::Status::error, "error not sticky");
  }
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t opt = in.byte();
  const std::uint8_t seed = in.byte();
  mv::Limits limits;
  if (opt & 1u) {
    limits.max_line = 48;
    limits.max_reply_bytes = 256;
    limits.max_literal = 1024;
  }
  if (opt & 2u) limits.max_list_depth = 2;
  const bool with_sink = (opt & 4u) == 0;
  const std::string_view stream = in.rest();

  if (opt & 8u) {
    // One assembled line straight into the grammar.
    std::vector<std::string> log1, log2;
    RecordingSink sink1(log1), sink2(log2);
    mv::ImapResponse r1, r2;
    std::string why1, why2;
    const bool ok1 = mv::parse_imap_response(stream, limits, &sink1, r1, why1);
    const bool ok2 = mv::parse_imap_response(stream, limits, &sink2, r2, why2);
    FUZZ_CHECK(ok1 == ok2 && why1 == why2 && log1 == log2, "parse_imap_response not deterministic");
    if (ok1) FUZZ_CHECK(record(r1) == record(r2), "parse_imap_response not deterministic");
    return 0;
  }

  const Run whole = read({stream}, limits, with_sink);
  const Run chunked = read(mv::fuzz::split(stream, seed), limits, with_sink);
  FUZZ_CHECK(whole.log == chunked.log, "chunking changed the responses or sink calls");
  FUZZ_CHECK(whole.error == chunked.error, whole.error + " vs " + chunked.error);
  return 0;
}
