// SPDX-License-Identifier: Apache-2.0
// What a refusal says in codes (core/server_signal.hpp) and the error built from it
// (core/error.hpp, core/error_kind.hpp). Byte 0 picks the error kind, byte 1 the protocol and
// the SMTP reply code (400 + byte 1 % 200), the rest is the server's text. Asserts: an enhanced
// status code has class 2, 4 or 5 and parses again from its own text(); a code with a known
// subject has a meaning and an unknown subject none; bracket_code() gives an upper-case atom of
// printable ASCII (no terminal escapes reach the diagnosis through it);
// summary() is empty exactly when the signal says nothing; make_error() keeps the code
// error_code() derives, is temporary when the signal says "not now" (usage errors excepted), and
// its server words and alert are sanitised (no control bytes, bounded).
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "core/error_kind.hpp"
#include "core/server_signal.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

bool printable(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t k = in.byte();
  const std::uint8_t p = in.byte();
  const std::string_view text = in.rest();

  mv::ServerSignal signal;
  signal.reply_code = 400 + p % 200;
  if (const auto st = mv::parse_enhanced_status(text)) {
    FUZZ_CHECK(st->klass == 2 || st->klass == 4 || st->klass == 5, st->text());
    const auto again = mv::parse_enhanced_status(st->text());
    FUZZ_CHECK(again && again->text() == st->text(), st->text());
    const bool known = !mv::enhanced_status_subject(st->subject).empty();
    FUZZ_CHECK(known || mv::enhanced_status_meaning(*st).empty(), "meaning of an unknown subject");
    FUZZ_CHECK(!known || !mv::enhanced_status_meaning(*st).empty(), "no meaning of a known one");
    signal.status = *st;
  }
  signal.response_code = mv::bracket_code(text);
  for (char c : signal.response_code)
    FUZZ_CHECK(c > 0x20 && c < 0x7f && !(c >= 'a' && c <= 'z') && c != ']', signal.response_code);
  if (p & 0x80u) signal.alert = std::string(text);
  FUZZ_CHECK(signal.summary().empty() == !signal.any(), signal.summary());
  if (signal.status.klass == 5 && signal.status.subject == 7 && signal.status.detail == 8)
    FUZZ_CHECK(signal.blames_credentials(), "5.7.8 does not blame the credentials");

  const auto kinds = mv::all_error_kinds();
  const mv::ErrorKind kind = kinds[k % kinds.size()];
  const auto protocol = static_cast<mv::Protocol>(p % 4);
  const std::string code = mv::error_code(kind, protocol);
  FUZZ_CHECK(!code.empty(), mv::kind_name(kind));
  FUZZ_CHECK(!mv::kind_name(kind).empty(), code);
  FUZZ_CHECK(!mv::category_name(mv::default_category(kind)).empty(), code);
  if (mv::kind_family(kind) == mv::KindFamily::session && protocol != mv::Protocol::none)
    FUZZ_CHECK(mv::fuzz::starts_with(code, std::string(mv::protocol_name(protocol)) + "."), code);
  (void)mv::emitted_by(kind, protocol);

  const mv::Error e = mv::make_error(kind, protocol, "detail", text, signal);
  FUZZ_CHECK(e.code == code && e.kind == kind && e.protocol == protocol, e.code);
  const bool usage = mv::default_category(kind) == mv::Category::usage;
  FUZZ_CHECK(e.category == (signal.temporary() && !usage ? mv::Category::temporary
                                                         : mv::default_category(kind)),
             e.code);
  FUZZ_CHECK(printable(e.server_says) && printable(e.signal.alert), "control bytes kept");
  FUZZ_CHECK(e.server_says.size() <= 4 * 512 + 3, "server words not bounded");
  return 0;
}
