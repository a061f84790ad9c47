// SPDX-License-Identifier: Apache-2.0
// The real SmtpClient against a fuzzed server byte stream, driven like the engine's pump (see
// session_harness.hpp for the invariants). Option bytes:
//   0: bits 0-1 TLS mode (0 implicit, 1 and 3 starttls, 2 none), bit 2 allow_plaintext,
//      bit 3 credentials present, bit 4 OAuth token instead of a password, bit 5 a message to send,
//      bits 6-7 consume step (all, 1, 7 or 64 bytes at a time);
//   1: mechanism (value % 6: 0 the client chooses, else PLAIN, LOGIN, CRAM-MD5, XOAUTH2,
//      OAUTHBEARER), bit 3 small limits (short lines, few capabilities, 16-byte body chunks),
//      bit 4 a non-ASCII (SMTPUTF8) sender and recipient, bit 5 an empty EHLO name (refused at
//      once with smtp.bad_argument);
//   2: chunking of the server's bytes (see fuzz::split).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "fuzz/session_harness.hpp"
#include "protocols/smtp/client.hpp"
#include "tests/support/fixed_message.hpp"

namespace {

using mv::test::FixedMessage;

constexpr std::size_t kConsumeSteps[] = {0, 1, 7, 64};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t o0 = in.byte();
  const std::uint8_t o1 = in.byte();
  const std::uint8_t seed = in.byte();
  const std::string_view stream = in.rest();

  mv::SmtpOptions options;
  options.ehlo_name = (o1 & 32u) ? "" : "fuzz.example.test";
  options.tls = mv::fuzz::tls_mode_from_bits(o0);
  options.allow_plaintext = (o0 & 4u) != 0;
  if (o0 & 8u) options.credentials = mv::fuzz::session_credentials((o0 & 16u) != 0, 587);
  if (o1 % 6 != 0) options.mechanism = static_cast<mv::Mechanism>(o1 % 6 - 1);
  if (o1 & 8u) {
    options.limits.max_line = 64;
    options.limits.max_reply_lines = 6;
    options.limits.max_reply_bytes = 256;
    options.limits.max_capabilities = 4;
    options.limits.max_sasl_rounds = 2;
    options.limits.output_chunk = 16;
  }
  FixedMessage message(
      "From: fuzz@example.test\r\nSubject: fuzz\r\n\r\n.leading dot\r\n.\r\nbare\nend");
  if (o0 & 32u) {
    options.mail_from =
        (o1 & 16u) ? "j\u00FCrgen@b\u00FCcher.example" : std::string(mv::fuzz::kSessionUser);
    options.rcpt_to = options.mail_from;
    options.message = &message;
  }

  mv::SmtpClient client(options);
  mv::fuzz::SessionConfig cfg;
  cfg.proto = "smtp";
  cfg.tls_from_start = options.tls == mv::TlsMode::implicit;
  cfg.allow_plaintext = options.allow_plaintext;
  cfg.consume_step = kConsumeSteps[o0 >> 6];
  cfg.input = stream;
  cfg.client_tls_active = [&client] { return client.tls_active(); };
  mv::fuzz::SessionHarness harness(client, cfg, nullptr);
  harness.run(mv::fuzz::split(stream, seed));
  if (o1 & 32u) FUZZ_CHECK(client.error().code == "smtp.bad_argument", "an empty EHLO name taken");
  FUZZ_CHECK(client.queue_id().empty() || !client.accept_reply().empty(),
             "queue id, no acceptance");
  FUZZ_CHECK(client.accept_reply().empty() || options.message, "accepted without a message");
  FUZZ_CHECK(harness.wire().empty() || client.turns() > 0, "bytes sent in no turn");
  FUZZ_CHECK(client.capabilities().auth.size() <= client.capabilities().auth_names.size(),
             "more mechanisms than AUTH names");
  if (client.done()) {
    FUZZ_CHECK(harness.wire().size() >= 6 &&
                   harness.wire().substr(harness.wire().size() - 6) == "QUIT\r\n",
               "done without QUIT");
  }
  return 0;
}
