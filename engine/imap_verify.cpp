// SPDX-License-Identifier: Apache-2.0
#include "engine/imap_verify.hpp"

#include "engine/imap_cleanup.hpp"

namespace mv {

namespace {

// Token and body digest of the fetched message against what was sent.
Error check_fetched(ImapContext& ctx, std::uint32_t uid, const Expected& expected) {
  const ImapClient& client = *ctx.a.client;
  if (!client.fetch_status().ok)
    return task_refused(client.fetch_status(), client.alert(),
                        Refusal{ErrorKind::fetch_refused, "fetch", "UID FETCH"});
  const ImapFetchedMessage& m = client.fetched_message();
  Error e;
  if (!m.found) {
    e = make_error(ErrorKind::fetch_empty, Protocol::none,
                   "the server returned nothing for UID " + std::to_string(uid));
  } else if (m.message.token != expected.token) {
    e = make_error(ErrorKind::modified, Protocol::none,
                   "the token header of the read-back message differs from what was sent");
  } else if (!expected.body_digest.empty() && m.message.body_digest != expected.body_digest) {
    e = make_error(ErrorKind::modified, Protocol::none,
                   "the body of the read-back message differs from what was sent (digest " +
                       m.message.body_digest.substr(0, 12) + " vs " +
                       expected.body_digest.substr(0, 12) + ")");
  }
  if (e) {
    e.step = "imap.verify";
    return e;
  }
  std::string detail = "token and body intact, " + std::to_string(m.message.bytes) + " bytes";
  if (!expected.message_id.empty() && m.message.message_id != expected.message_id)
    detail += ", Message-ID rewritten by the server";
  ctx.deps.report.add_step("imap.verify", 0, detail);
  return Error{};
}

}  // namespace

Task<Error> verify(ImapContext& ctx, std::uint32_t uid, const Expected& expected) {
  if (Error e = co_await run_task(ctx.pump, ctx.a, ctx.a.client->fetch_message(uid))) co_return e;
  co_return check_fetched(ctx, uid, expected);
}

Task<Error> verify_remove_logout(ImapContext& ctx, std::uint32_t uid, const Expected& expected) {
  ImapLink& a = ctx.a;
  if (!a.client->fetch_remove_logout(uid)) co_return not_ready();
  co_await ctx.pump.until([&] { return a.session->finished(); });
  if (a.failed()) co_return a.error();
  Error e = check_fetched(ctx, uid, expected);
  report_removal(ctx, uid, std::string());
  co_return e;
}

}  // namespace mv
