// SPDX-License-Identifier: Apache-2.0
// The real Pop3Client against a fuzzed server byte stream, driven like the engine's pump (see
// session_harness.hpp for the invariants). Tasks: find_token, retrieve (the message found, else the
// last one; skipped in an empty maildrop), the extras of option byte 3, then quit; queued all at
// once before the greeting (bit 7 of byte 3) or one at a time when the client is idle. Option
// bytes:
//   0: bits 0-1 TLS mode (0 implicit, 1 and 3 starttls, 2 none), bit 2 allow_plaintext,
//      bit 3 OAuth token instead of a password, bits 6-7 consume step;
//   1: mechanism (value % 6: 0 the client chooses / USER+PASS, else PLAIN, LOGIN, CRAM-MD5,
//      XOAUTH2, OAUTHBEARER), bit 3 small limits;
//   2: chunking of the server's bytes (see fuzz::split);
//   3: bit 0 uidl, bit 1 dele, bit 2 rset before quit; bit 3 find_token from message 2;
//      bit 4 (one at a time) a DELE of a message outside the maildrop, which must fail at once
//      with pop3.bad_task; bit 5 (up front) a task queued after quit(), likewise;
//      bit 7 queue everything up front.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "fuzz/session_harness.hpp"
#include "protocols/pop3/client.hpp"
#include "protocols/pop3/reply.hpp"

namespace {

constexpr std::size_t kConsumeSteps[] = {0, 1, 7, 64};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t o0 = in.byte();
  const std::uint8_t o1 = in.byte();
  const std::uint8_t seed = in.byte();
  const std::uint8_t o3 = in.byte();
  const std::string_view stream = in.rest();

  mv::Pop3Options options;
  options.tls = mv::fuzz::tls_mode_from_bits(o0);
  options.allow_plaintext = (o0 & 4u) != 0;
  options.credentials = mv::fuzz::session_credentials((o0 & 8u) != 0, 995);
  if (o1 % 6 != 0) options.mechanism = static_cast<mv::Mechanism>(o1 % 6 - 1);
  if (o1 & 8u) {
    options.limits.max_line = 64;
    options.limits.max_capabilities = 4;
    options.limits.max_sasl_rounds = 2;
    options.limits.output_chunk = 16;
  }

  mv::Pop3Client client(options);
  const bool up_front = (o3 & 0x80u) != 0;
  const std::uint32_t from_msg = (o3 & 8u) ? 2 : 1;
  if (up_front) {
    client.find_token("tok123", from_msg);
    if (o3 & 1u) client.uidl();
    if (o3 & 4u) client.rset();
    client.quit();
    if (o3 & 32u) {
      client.rset();
      FUZZ_CHECK(client.error().code == "pop3.bad_task", "a task after quit() was taken");
    }
  }
  unsigned step = 0;
  auto tasks = [&]() -> bool {
    if (up_front || !client.idle()) return false;
    while (step < 6) {
      const unsigned s = step++;
      switch (s) {
        case 0:
          client.find_token("tok123", from_msg);
          return true;
        case 1: {
          const std::uint32_t n = client.found() ? *client.found() : client.message_count();
          if (n == 0) break;
          client.retrieve(n);
          return true;
        }
        case 2:
          if (!(o3 & 1u)) break;
          client.uidl();
          return true;
        case 3:
          if (!(o3 & 2u) || client.message_count() == 0) break;
          client.dele(client.message_count());
          return true;
        case 4:
          if (o3 & 16u) {
            client.dele(client.message_count() + 1);
            FUZZ_CHECK(client.error().code == "pop3.bad_task", "DELE outside the maildrop taken");
            return true;
          }
          if (!(o3 & 4u)) break;
          client.rset();
          return true;
        case 5:
          client.quit();
          FUZZ_CHECK(!client.ready(), "ready after quit()");
          return true;
      }
    }
    return false;
  };

  mv::fuzz::SessionConfig cfg;
  cfg.proto = "pop3";
  cfg.tls_from_start = options.tls == mv::TlsMode::implicit;
  cfg.allow_plaintext = options.allow_plaintext;
  cfg.consume_step = kConsumeSteps[o0 >> 6];
  cfg.input = stream;
  cfg.client_tls_active = [&client] { return client.tls_active(); };
  mv::fuzz::SessionHarness harness(client, cfg, tasks);
  harness.run(mv::fuzz::split(stream, seed));
  // The header's promise: with TLS mode none and no consent, nothing at all is sent.
  if (options.tls == mv::TlsMode::none && !options.allow_plaintext) {
    FUZZ_CHECK(harness.wire().empty(), "bytes sent with TLS mode none and no consent");
  }
  FUZZ_CHECK(client.scanned() <= client.message_count(), "more TOPs than messages");
  for (const mv::Pop3Listing& l : client.listing()) {
    FUZZ_CHECK(l.number >= 1, "message number 0 listed");
    FUZZ_CHECK(!client.listing_has_uids() || mv::valid_uid(l.uid), "an invalid UID listed");
  }
  const std::string& apop = client.apop_timestamp();
  FUZZ_CHECK(apop.empty() || (apop.front() == '<' && apop.back() == '>'), apop);
  if (client.done() && options.mechanism)
    FUZZ_CHECK(client.mechanism_used() == options.mechanism, "another mechanism than asked");
  if (client.retrieved().number != 0)
    FUZZ_CHECK(client.retrieved().number <= client.message_count(), "retrieved outside the drop");
  if (client.found()) {
    FUZZ_CHECK(*client.found() >= 1 && *client.found() <= client.message_count(),
               "found() outside the maildrop");
  }
  return 0;
}
