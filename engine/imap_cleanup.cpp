// SPDX-License-Identifier: Apache-2.0
#include "engine/imap_cleanup.hpp"

namespace mv {

bool removed(ImapDeleteOutcome outcome) {
  return outcome == ImapDeleteOutcome::expunged || outcome == ImapDeleteOutcome::moved ||
         outcome == ImapDeleteOutcome::flagged_only;
}

bool start_removal(ImapLink& link, std::uint32_t uid, const std::string& trash) {
  return trash.empty() ? link.client->delete_uid(uid) : link.client->move_uid(uid, trash);
}

Task<std::string> trash_folder(ImapContext& ctx) {
  if (!ctx.folders) {
    if (!ctx.a.client->list_folders()) co_return std::string();
    if (co_await settle(ctx.pump, ctx.a) || !ctx.a.client->last_task().ok) co_return std::string();
    ctx.folders = map_folders(ctx.a.client->folders());
  }
  const FolderRole* r = ctx.folders->find("Trash");
  co_return r ? r->folder : std::string();
}

// On Gmail a \Deleted + EXPUNGE only takes the Inbox label off and, with Gmail's default
// settings, archives the message in All Mail: a monitor running every few minutes would fill it.
// There the message is moved to the Trash folder instead, which takes every label off (Gmail
// empties Trash after 30 days).
Task<Error> cleanup(ImapContext& ctx, std::uint32_t uid, bool logout) {
  ImapLink& a = ctx.a;
  std::string trash;
  const bool gmail = a.client->capabilities().has("X-GM-EXT-1");
  if (gmail) trash = co_await trash_folder(ctx);
  if (!start_removal(a, uid, trash)) co_return not_ready();
  if (gmail && trash.empty())
    ctx.deps.report.warnings.push_back(
        "Gmail without a Trash folder (or MOVE): the test message was expunged from INBOX, "
        "which Gmail by default turns into archiving it in All Mail");
  if (logout && a.client->queue_logout()) {
    co_await ctx.pump.until([&] { return a.session->finished(); });
    if (a.failed()) co_return a.error();
  } else if (Error e = co_await settle(ctx.pump, a)) {
    co_return e;
  }
  report_removal(ctx, uid, trash);
  co_return Error{};
}

void report_removal(ImapContext& ctx, std::uint32_t uid, const std::string& trash) {
  Report& report = ctx.deps.report;
  switch (ctx.a.client->delete_outcome()) {
    case ImapDeleteOutcome::expunged:
      report.add_step("imap.cleanup", 0,
                      "removed UID " + std::to_string(uid) + " (UID EXPUNGE: only this message)");
      break;
    case ImapDeleteOutcome::flagged_only:
      report.add_step("imap.cleanup", 0, "flagged UID " + std::to_string(uid) + " \\Deleted only");
      report.warnings.push_back(
          "the server lacks UIDPLUS: the test message was only flagged \\Deleted, not "
          "expunged (a plain EXPUNGE could remove other messages you flagged)");
      break;
    case ImapDeleteOutcome::moved:
      report.add_step("imap.cleanup", 0,
                      "moved UID " + std::to_string(uid) + " to \"" + trash +
                          "\" (Gmail: expunging would only archive it)");
      break;
    default:
      report.warnings.push_back("could not remove the test message: " +
                                ctx.a.client->last_task().server_says);
  }
}

}  // namespace mv
