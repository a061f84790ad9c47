// SPDX-License-Identifier: Apache-2.0
// The real ImapClient against a fuzzed server byte stream, driven like the engine's pump (see
// session_harness.hpp for the invariants). Tags come from ImapTagGenerator(0), so seed transcripts
// can answer with the right tags (M + 10 characters; see fuzz/README.md). When ready() the target
// runs: search_token, fetch_message (the first UID found, else 1), the extra tasks chosen by option
// byte 3, then logout. With bit 7 of byte 3 it takes the engine's pipelined paths instead:
// noop_search, store_flags with a NOOP first, delete_uid/move_uid with queue_logout behind them,
// and fetch_remove_logout in place of the fetch (which then ends the session). Afterwards it
// asserts on the results: an [ALERT] from before a STARTTLS upgrade is never kept, a removal
// outcome only after a removal was asked for, special_use() finds a folder with that attribute,
// tags have the generator's shape. Option bytes:
//   0: bits 0-1 TLS mode (0 implicit, 1 and 3 starttls, 2 none), bit 2 allow_plaintext,
//      bit 3 OAuth token instead of a password, bit 4 read_only (EXAMINE), bits 6-7 consume step;
//   1: mechanism (value % 6: 0 the client chooses, else PLAIN, LOGIN, CRAM-MD5, XOAUTH2,
//      OAUTHBEARER), bit 3 small limits;
//   2: chunking of the server's bytes (see fuzz::split);
//   3: extra tasks before logout: bit 0 list_folders, 1 noop, 2 fetch_flags, 3 store_flags,
//      4 idle (ended with idle_done), 5 delete_uid, 6 move_uid, 7 the pipelined paths.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "fuzz/session_harness.hpp"
#include "protocols/imap/client.hpp"

namespace {

constexpr std::size_t kConsumeSteps[] = {0, 1, 7, 64};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mv::fuzz::Input in(data, size);
  const std::uint8_t o0 = in.byte();
  const std::uint8_t o1 = in.byte();
  const std::uint8_t seed = in.byte();
  const std::uint8_t extras = in.byte();
  const std::string_view stream = in.rest();

  mv::ImapOptions options;
  options.tls = mv::fuzz::tls_mode_from_bits(o0);
  options.allow_plaintext = (o0 & 4u) != 0;
  options.credentials = mv::fuzz::session_credentials((o0 & 8u) != 0, 993);
  options.read_only = (o0 & 16u) != 0;
  options.tag_seed = 0;
  if (o1 % 6 != 0) options.mechanism = static_cast<mv::Mechanism>(o1 % 6 - 1);
  if (o1 & 8u) {
    options.limits.max_line = 64;
    options.limits.max_reply_bytes = 512;
    options.limits.max_capabilities = 4;
    options.limits.max_literal = 4096;
    options.limits.max_list_depth = 3;
    options.limits.max_sasl_rounds = 2;
    options.limits.max_folders = 2;
    options.limits.max_search_results = 2;
  }

  mv::ImapClient client(options);
  // The task plan: 0 search, 1 fetch, 2..8 the extras (when chosen), 9 logout, 10 nothing more.
  unsigned step = 0;
  bool idle_ended = false;
  bool removal_asked = false;
  const bool pipelined = (extras & 128u) != 0;
  // The engine queues LOGOUT behind a removal; after that the plan has nothing more to start.
  auto queue_logout = [&client, &step] {
    FUZZ_CHECK(client.queue_logout(), "queue_logout refused behind a running task");
    FUZZ_CHECK(!client.queue_logout(), "a second LOGOUT queued");
    step = 10;
  };
  auto uid = [&client]() -> std::uint32_t {
    return client.search_result().empty() ? 1 : client.search_result().front();
  };
  auto tasks = [&]() -> bool {
    if (client.idling() && !idle_ended) {
      idle_ended = true;
      client.idle_done();
      return true;
    }
    while (client.ready() && step < 10) {
      const unsigned s = step++;
      bool started = false;
      switch (s) {
        case 0:
          started = pipelined ? client.noop_search("tok123") : client.search_token("tok123");
          break;
        case 1:
          if (pipelined) {
            started = client.fetch_remove_logout(uid());
            removal_asked = removal_asked || started;
            if (started) step = 10;
          } else {
            started = client.fetch_message(uid());
          }
          break;
        case 2:
          started = (extras & 1u) && client.list_folders();
          break;
        case 3:
          started = (extras & 2u) && client.noop();
          break;
        case 4:
          started = (extras & 4u) && client.fetch_flags(uid());
          break;
        case 5:
          started = (extras & 8u) && client.store_flags(uid(), "\\Seen", pipelined);
          break;
        case 6:
          started = (extras & 16u) && client.idle();
          break;
        case 7:
          started = (extras & 32u) && client.delete_uid(uid());
          removal_asked = removal_asked || started;
          if (started && pipelined) queue_logout();
          break;
        case 8:
          started = (extras & 64u) && client.move_uid(uid(), "Trash");
          removal_asked = removal_asked || started;
          if (started && pipelined) queue_logout();
          break;
        case 9:
          started = client.logout();
          FUZZ_CHECK(started, "logout refused while ready");
          break;
      }
      if (started) {
        FUZZ_CHECK(!client.ready(), "ready while a task runs");
        return true;
      }
    }
    return false;
  };

  mv::fuzz::SessionConfig cfg;
  cfg.proto = "imap";
  cfg.tls_from_start = options.tls == mv::TlsMode::implicit;
  cfg.allow_plaintext = options.allow_plaintext;
  cfg.consume_step = kConsumeSteps[o0 >> 6];
  cfg.input = stream;
  cfg.client_tls_active = [&client] { return client.tls_active(); };
  mv::fuzz::SessionHarness harness(client, cfg, tasks);
  harness.run(mv::fuzz::split(stream, seed));
  FUZZ_CHECK(client.search_result().size() <= options.limits.max_search_results,
             "too many results");
  FUZZ_CHECK(client.folders().folders.size() <= options.limits.max_folders, "too many folders");
  FUZZ_CHECK(client.alert().empty() || options.tls != mv::TlsMode::starttls || harness.tls(),
             "an [ALERT] from before STARTTLS was kept");
  FUZZ_CHECK(client.delete_outcome() == mv::ImapDeleteOutcome::none || removal_asked,
             "a removal outcome without a removal");
  for (const char* attr : {"\\Trash", "\\Sent", "\\Junk"}) {
    if (const mv::ImapFolder* f = client.folders().special_use(attr))
      FUZZ_CHECK(f->has_attribute(attr), "special_use() found a folder without the attribute");
  }
  const std::string& tag = client.last_tag();
  FUZZ_CHECK(tag.empty() || (tag.size() == 11 && tag[0] == 'M'), tag);
  FUZZ_CHECK(mv::imap_task_name(client.last_task().task) != "unknown", "task without a name");
  FUZZ_CHECK(client.capabilities().has("idle") == client.capabilities().has("IDLE"),
             "capability lookup depends on case");
  FUZZ_CHECK(harness.wire().empty() || client.turns() > 0, "bytes sent in no turn");
  return 0;
}
