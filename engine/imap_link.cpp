// SPDX-License-Identifier: Apache-2.0
#include "engine/imap_link.hpp"

#include "engine/token.hpp"
#include "protocols/common/ascii.hpp"

namespace mv {

ImapLink::ImapLink(const ReadbackDeps& deps, const std::string& prefix, const std::string& mailbox,
                   bool list_after_login)
    : mailbox(mailbox) {
  ImapOptions o;
  o.tls = deps.config.incoming.endpoint.tls;
  o.allow_plaintext = deps.config.allow_plaintext;
  o.credentials = incoming_credentials(deps.config);
  o.mechanism = deps.config.incoming.mechanism;
  o.mailbox = mailbox;
  o.tag_seed = random_u64();
  o.list_after_login = list_after_login;
  client = std::make_unique<ImapClient>(o);
  session =
      std::make_unique<Session>(deps.transport, prefix, deps.config.incoming.endpoint, deps.tls,
                                *client, deps.config.timeouts, deps.report, deps.trace);
}

Error task_refused(const ImapLink& link, const Refusal& refusal) {
  return task_refused(link.client->last_task(), link.client->alert(), refusal);
}

Error task_refused(const ImapTaskStatus& st, std::string alert, const Refusal& refusal) {
  ServerSignal signal;
  signal.response_code = ascii_upper(st.code);
  signal.alert = std::move(alert);
  Error e =
      make_error(refusal.kind, Protocol::imap, std::string("the server refused ") + refusal.what,
                 st.server_says, std::move(signal));
  e.step = std::string("imap.") + refusal.step;
  return e;
}

Error not_ready() {
  return make_error(ErrorKind::not_ready, Protocol::imap, "the IMAP session is not ready");
}

Task<Error> settle(Pump& pump, ImapLink& link) {
  co_await pump.until([&] { return link.session->finished() || link.client->ready(); });
  if (link.failed()) co_return link.error();
  if (!link.client->ready())
    co_return make_error(ErrorKind::closed, Protocol::imap, "the IMAP session ended unexpectedly");
  co_return Error{};
}

Task<Error> run_task(Pump& pump, ImapLink& link, bool started, std::optional<Refusal> refusal) {
  if (!started) co_return not_ready();
  if (Error e = co_await settle(pump, link)) co_return e;
  if (refusal && !link.client->last_task().ok) co_return task_refused(link, *refusal);
  co_return Error{};
}

Task<Error> logout(Pump& pump, ImapLink& link) {
  if (!link.client->ready()) co_return Error{};
  link.client->logout();
  co_await pump.until([&] { return link.session->finished(); });
  if (link.failed()) co_return link.error();
  co_return Error{};
}

}  // namespace mv
