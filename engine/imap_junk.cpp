// SPDX-License-Identifier: Apache-2.0
#include "engine/imap_junk.hpp"

#include "engine/imap_cleanup.hpp"
#include "engine/imap_folders.hpp"

namespace mv {

Task<Error> not_delivered(ImapContext& ctx, const Expected& expected) {
  ImapLink& a = ctx.a;
  std::string junk;
  // (No co_await right of && or ||: each wait is a statement of its own.)
  bool listed = false;
  if (a.client->list_folders()) listed = !co_await settle(ctx.pump, a) && a.client->last_task().ok;
  if (listed) {
    ctx.folders = map_folders(a.client->folders());
    if (const FolderRole* r = ctx.folders->find("Junk")) junk = r->folder;
  }
  if (!junk.empty()) {
    ImapLink link(ctx.deps, "imap.junk", junk);
    ctx.pump.add(*link.session);
    // On Gmail an expunge from Spam, its last label, would archive the message into All Mail.
    std::string trash;
    if (a.client->capabilities().has("X-GM-EXT-1")) trash = co_await trash_folder(ctx);
    const FolderLook look = co_await look_in(ctx, link, expected.token, trash);
    if (look.found) {
      Error e = make_error(ErrorKind::junk, Protocol::none,
                           "the message was delivered to the Junk folder \"" + junk + "\"");
      e.step = "imap.arrival";
      co_return e;
    }
  }
  co_return not_delivered_error(ctx.deps.config, expected, "imap.arrival");
}

}  // namespace mv
