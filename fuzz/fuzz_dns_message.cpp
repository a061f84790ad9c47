// SPDX-License-Identifier: Apache-2.0
// dns::parse_response and dns::TcpFramer: the first byte picks the chunking of the TCP-framed
// input, and its top bit small limits (2 answer records, 2 pointer hops per name). The framer
// gives the same message whatever the chunks; a parsed response keeps its bounds (at most
// Limits::max_dns_records answers, SRV/MX targets and owner names of at most 255 bytes with
// escapes, addresses of 4 or 16 bytes), and what the small limits accept the defaults accept
// alike; parsing is deterministic; and a query we write for the first question's name parses back
// (as a response once QR is set) to the same question.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "protocols/dns/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t seed = in.byte();
  const std::string_view payload = in.rest();

  // Framing: whole versus chunked.
  const std::string framed = std::string{static_cast<char>(payload.size() >> 8 & 0xff),
                                         static_cast<char>(payload.size() & 0xff)} +
                             std::string(payload.substr(0, 0xffff));
  mv::dns::TcpFramer whole, chunked;
  const auto w = whole.feed(framed);
  mv::dns::TcpFramer::Result c;
  for (std::string_view chunk : mv::fuzz::split(framed, seed)) {
    c = chunked.feed(chunk);
    if (c.status != mv::dns::TcpFramer::Status::need_more) break;
  }
  FUZZ_CHECK(w.status == c.status, "framing depends on the chunks");
  if (w.status == mv::dns::TcpFramer::Status::done)
    FUZZ_CHECK(whole.message() == chunked.message(), "framed message depends on the chunks");

  mv::Limits limits;
  if (seed & 0x80u) {
    limits.max_dns_records = 2;
    limits.max_dns_pointer_hops = 2;
  }
  std::string why, why_again;
  const auto r = mv::dns::parse_response(payload, &why, limits);
  const auto again = mv::dns::parse_response(payload, &why_again, limits);
  FUZZ_CHECK(r.has_value() == again.has_value() && why == why_again, "parse is not deterministic");
  if (!r) return 0;
  FUZZ_CHECK(r->answers.size() <= limits.max_dns_records, "too many answers kept");
  if (seed & 0x80u) {
    const auto within_defaults = mv::dns::parse_response(payload);
    FUZZ_CHECK(within_defaults && within_defaults->answers.size() == r->answers.size(),
               "the default limits refuse what smaller ones accept");
  }
  for (const mv::dns::Record& rec : r->answers) {
    FUZZ_CHECK(rec.name.size() <= 4 * 255 && rec.target.size() <= 4 * 255, "name over its bound");
    if (rec.type == mv::dns::kTypeA) FUZZ_CHECK(rec.address.size() == 4, "A not 4 bytes");
    if (rec.type == mv::dns::kTypeAaaa) FUZZ_CHECK(rec.address.size() == 16, "AAAA not 16 bytes");
  }
  if (r->question.empty() || r->question.find('\\') != std::string::npos) return 0;
  auto query = mv::dns::write_query(r->id, r->question, r->question_type);
  if (!query) return 0;
  (*query)[2] = static_cast<char>((*query)[2] | 0x80);  // as a response
  const auto back = mv::dns::parse_response(*query, &why);
  FUZZ_CHECK(back && back->question == r->question && back->question_type == r->question_type, why);
  return 0;
}
