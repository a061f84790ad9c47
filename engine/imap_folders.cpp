// SPDX-License-Identifier: Apache-2.0
#include "engine/imap_folders.hpp"

#include "engine/imap_cleanup.hpp"
#include "protocols/imap/mutf7.hpp"

namespace mv {

Task<Error> check_folders(ImapContext& ctx) {
  ImapLink& a = ctx.a;
  if (!a.client->listed()) {
    const bool started = a.client->list_folders();
    if (Error e = co_await run_task(ctx.pump, a, started,
                                    Refusal{ErrorKind::list_refused, "list", "LIST"}))
      co_return e;
  }
  ctx.folders = map_folders(a.client->folders());
  const FolderMap& map = *ctx.folders;
  Report& report = ctx.deps.report;
  std::string detail;
  for (const FolderRole& r : map.roles) {
    if (!detail.empty()) detail += "; ";
    detail += r.role + " = " + (r.folder.empty() ? "(none)" : "\"" + r.shown + "\"") + " (" +
              r.how + (r.shown != r.folder ? ", on the wire \"" + r.folder + "\"" : "") + ")";
    if (r.folder.empty()) report.warnings.push_back("no " + r.role + " folder found on the server");
  }
  for (const std::string& w : map.warnings)
    report.warnings.push_back(w);
  report.add_step("imap.folders", 0, detail);
  co_return Error{};
}

std::unique_ptr<ImapLink> open_sent(ImapContext& ctx) {
  ctx.folders = map_folders(ctx.a.client->folders());
  const FolderRole* role = ctx.folders->find("Sent");
  const RunConfig& config = ctx.deps.config;
  // Only for mail the mailbox's owner sent: a peer's message is filed in the peer's Sent.
  if (!config.send || !config.rcpt_to.empty() || !role || role->folder.empty()) return nullptr;
  auto sent = std::make_unique<ImapLink>(ctx.deps, "imap.sent", role->folder);
  ctx.pump.add(*sent->session);
  return sent;
}

Task<FolderLook> look_in(ImapContext& ctx, ImapLink& link, const std::string& token,
                         const std::string& trash, bool linger) {
  Pump& pump = ctx.pump;
  FolderLook look;
  look.error = co_await settle(pump, link);
  // The session may have selected the folder before the copy arrived (the Sent session logs in
  // during delivery): a NOOP in the search's flight syncs the view, and since Dovecot runs the
  // two at once, a change the NOOP shows with nothing found is searched again.
  const std::uint32_t exists_before = link.client->mailbox().exists;
  if (!look.error && link.client->noop_search(token)) look.error = co_await settle(pump, link);
  if (!look.error && link.client->last_task().ok && link.client->search_result().empty() &&
      link.client->mailbox().exists != exists_before && link.client->search_token(token))
    look.error = co_await settle(pump, link);
  if (!look.error && !link.client->last_task().ok)
    look.error = task_refused(link, Refusal{ErrorKind::search_refused, "search", "UID SEARCH"});
  look.found = !look.error && !link.client->search_result().empty();
  const RunConfig& config = ctx.deps.config;
  if (look.found && config.send && !config.keep &&
      start_removal(link, link.client->search_result().back(), trash)) {
    link.client->queue_logout();
    co_await pump.until([&] { return link.session->finished() || link.client->ready(); });
    look.removed = !link.failed() && removed(link.client->delete_outcome());
  }
  if (!look.error && link.client->ready()) {
    if (linger)
      link.client->logout();
    else
      (void)co_await logout(pump, link);
  }
  if (!linger) pump.remove(*link.session);
  co_return look;
}

Task<void> check_sent_copy(ImapContext& ctx, ImapLink& link, const std::string& token) {
  // On Gmail the copy in Sent is INBOX's message under another label: an expunge takes off just
  // that label, and INBOX's cleanup then moves the message to Trash.
  const FolderLook look = co_await look_in(ctx, link, token, std::string(), /*linger=*/true);
  const std::string quoted =
      "\"" + folder_display_name(link.mailbox, link.client->utf8_enabled()) + "\"";
  const RunConfig& config = ctx.deps.config;
  Report& report = ctx.deps.report;
  std::string detail;
  if (look.error) {
    detail = "could not look in " + quoted + ": " + look.error.detail;
    report.warnings.push_back("could not check whether the server files sent mail in " + quoted +
                              ": " + look.error.detail);
  } else if (!look.found) {
    detail = "no copy of the sent message in " + quoted +
             ": the server does not file submitted mail, so the mail client should save a copy";
  } else {
    detail = "the server filed a copy of the sent message in " + quoted +
             ": the mail client should not save another" + (look.removed ? " (copy removed)" : "");
    if (config.send && !config.keep && !look.removed)
      report.warnings.push_back("could not remove the test message's copy in " + quoted);
  }
  report.add_step("imap.sent_copy", 0, detail, !look.error);
}

}  // namespace mv
