// SPDX-License-Identifier: Apache-2.0
#include "engine/imap_devices.hpp"

#include <algorithm>

namespace mv {

namespace {
bool has_flag(const std::optional<std::vector<std::string>>& flags, std::string_view flag) {
  return flags && std::find(flags->begin(), flags->end(), flag) != flags->end();
}
}  // namespace

Task<Error> check_devices(ImapContext& ctx, ImapLink& b, std::uint32_t uid) {
  Pump& pump = ctx.pump;
  ImapLink& a = ctx.a;
  Report& report = ctx.deps.report;
  Error e = co_await settle(pump, b);
  // B logged in before the message arrived: a NOOP brings the message into its view (a STORE on
  // a UID the session does not know yet is silently a no-op); it goes in the STORE's flight.
  const std::uint32_t exists_before = b.client->mailbox().exists;
  if (!e && b.client->store_flags(uid, "\\Seen", /*noop_first=*/true)) e = co_await settle(pump, b);
  // Dovecot may run the STORE beside the NOOP, before the message is in the session's view:
  // the STORE then did nothing. When the NOOP brought news and no flags came back, once more.
  if (!e && b.client->last_task().ok && !has_flag(b.client->flags_of(uid), "\\Seen") &&
      b.client->mailbox().exists != exists_before && b.client->store_flags(uid, "\\Seen"))
    e = co_await settle(pump, b);
  if (!e && !b.client->last_task().ok)
    e = task_refused(b, Refusal{ErrorKind::store_refused, "store", "UID STORE \\Seen"});
  // The STORE's reply shows the flags now set (a server SHOULD send it, RFC 9051 6.4.6): a
  // FETCH of them only when it did not.
  if (!e && !has_flag(b.client->flags_of(uid), "\\Seen") && b.client->fetch_flags(uid))
    e = co_await settle(pump, b);
  const bool stored = !e && has_flag(b.client->flags_of(uid), "\\Seen");
  // B's LOGOUT is on its way while A looks: the two sessions' turns overlap.
  const bool logging_out = !e && b.client->logout();
  Error fe;
  if (stored) fe = co_await run_task(pump, a, a.client->fetch_flags(uid));
  if (logging_out) co_await pump.until([&] { return b.session->finished(); });
  pump.remove(*b.session);
  if (e) co_return e;
  if (!stored) {
    report.warnings.push_back("the second session could not mark the message read");
    report.add_step("imap.devices", 0, "\\Seen could not be set", false);
    co_return Error{};
  }
  if (fe) co_return fe;
  if (!has_flag(a.client->flags_of(uid), "\\Seen")) {
    report.warnings.push_back(
        "read state did not sync: a second session marked the message read, the first does "
        "not see \\Seen");
    report.add_step("imap.devices", 0, "read state NOT synchronised", false);
    co_return Error{};
  }
  report.add_step("imap.devices", 0, "marked read in a second session, seen as read in the first");
  co_return Error{};
}

}  // namespace mv
