// SPDX-License-Identifier: Apache-2.0
#include "protocols/imap/client.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <iterator>

#include "protocols/common/ascii.hpp"
#include "protocols/common/command_channel.hpp"
#include "protocols/common/sasl_exchange.hpp"
#include "protocols/common/wipe.hpp"
#include "protocols/imap/idle.hpp"

namespace mv {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v)
    s += (s.empty() ? "" : " ") + x;
  return s;
}

bool valid_token(std::string_view token) {
  if (token.empty() || token.size() > 256) return false;
  return std::all_of(token.begin(), token.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0; });
}

// One state per awaited reply (plus the TLS pause and ready between tasks).
enum class State {
  greeting,
  capability,
  starttls,
  tls_handshake,
  authenticate,
  login,
  capability_after_auth,
  enable,
  select,
  capability_after_select,
  ready,
  search,
  fetch,
  fetch_flags,
  store,
  noop,
  noop_search,
  namespace_,
  list,
  delete_store,
  expunge,
  move,
  idle,
  logout,
  done,
  failed
};

std::string_view state_name(State s) {
  static constexpr std::string_view kNames[] = {"greeting",
                                                "capability",
                                                "starttls",
                                                "tls_handshake",
                                                "authenticate",
                                                "login",
                                                "capability_after_auth",
                                                "enable",
                                                "select",
                                                "capability_after_select",
                                                "ready",
                                                "search",
                                                "fetch",
                                                "fetch_flags",
                                                "store",
                                                "noop",
                                                "noop_search",
                                                "namespace",
                                                "list",
                                                "delete_store",
                                                "expunge",
                                                "move",
                                                "idle",
                                                "logout",
                                                "done",
                                                "failed"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(State::failed) + 1);
  return kNames[static_cast<std::size_t>(s)];
}

// The report's step for a failure in this state: a refused LOGIN fails "imap.auth".
std::string step_of(State s) {
  switch (s) {
    case State::greeting:
      return "imap.greeting";
    case State::capability:
    case State::capability_after_auth:
    case State::capability_after_select:
      return "imap.capability";
    case State::starttls:
    case State::tls_handshake:
      return "imap.starttls";
    case State::authenticate:
    case State::login:
      return "imap.auth";
    case State::enable:
    case State::select:
      return "imap.select";
    case State::search:
    case State::noop_search:
      return "imap.search";
    case State::fetch:
    case State::fetch_flags:
      return "imap.fetch";
    case State::store:
    case State::delete_store:
      return "imap.store";
    case State::noop:
      return "imap.noop";
    case State::namespace_:
    case State::list:
      return "imap.list";
    case State::expunge:
      return "imap.expunge";
    case State::move:
      return "imap.move";
    case State::idle:
      return "imap.idle";
    case State::logout:
      return "imap.logout";
    case State::ready:
    case State::done:
    case State::failed:
      break;
  }
  return {};  // between commands: the session names it
}

}  // namespace

struct ImapClient::Impl final {
  Impl(ImapOptions o, const ImapClient& owner)
      : owner(owner),
        opt(std::move(o)),
        reader(opt.limits),
        tags(opt.tag_seed),
        box(opt.limits),
        results(opt.limits),
        tls_active(opt.tls == TlsMode::implicit) {
    reader.set_sink(&results);
  }
  ~Impl() { drop_pending_parts(); }

  const ImapClient& owner;  // told of every state change
  ImapOptions opt;
  ImapResponseReader reader;
  ImapTagGenerator tags;
  CommandChannel channel;  // output, the replies owed, the sticky error
  ImapMailboxTracker box;
  ImapTaskResults results;  // what the tasks produced; the BODY[] literals stream into it
  ImapIdle idle;
  State state = State::greeting;
  std::deque<Event> events;
  ImapCapabilities caps;
  bool caps_updated = false;
  bool tls_active = false;
  bool preauth = false;
  bool enable_sent = false;  // ENABLE UTF8=ACCEPT (RFC 6855 3), at most once, before SELECT
  bool utf8 = false;         // the server said ENABLED UTF8=ACCEPT: mailbox names are UTF-8

  // ---- commands in flight ----
  std::string tag;  // of the command whose reply comes next
  // Commands written behind the one in flight (pipelined, RFC 9051 5.5), in order: each one's
  // tag and the state its reply is read in (nullopt: the state handling the reply before it
  // chooses). The channel holds when each reply becomes due. Used for SELECT behind a one-line
  // login, CAPABILITY + SELECT after a login reply without capabilities (Exchange's), UID
  // SEARCH behind a NOOP, UID EXPUNGE behind the STORE of \Deleted, and a fetch with the
  // removal and LOGOUT behind it.
  struct Queued {
    std::string tag;
    std::optional<State> state;
  };
  std::deque<Queued> queued;
  std::optional<State> next_state;  // of the command now in flight, when it was queued
  std::string last_tag;
  std::string last_code;
  std::vector<std::string> pending_parts;  // literals waiting for the server's "+"
  bool pending_secret = false;             // they hold a credential
  std::size_t turns = 0;

  // ---- login ----
  std::optional<SaslExchange> sasl;
  std::string auth_label;
  std::string alert;  // the last [ALERT] text (sanitised), carried into a failure's signal

  bool saw_bye = false;  // the LOGOUT's BYE came

  void set_state(State s) {
    owner.state_changed(state_name(state), state_name(s));
    state = s;
  }
  bool failed() const { return state == State::failed; }
  bool queued_state(State s) const {
    return std::any_of(queued.begin(), queued.end(), [s](const Queued& q) { return q.state == s; });
  }
  bool logout_queued() const { return queued_state(State::logout); }

  void drop_pending_parts() {
    for (auto& p : pending_parts)
      wipe(p);
    pending_parts.clear();
    pending_secret = false;
  }

  // ---- errors ----

  void fail(Error e) {
    if (failed()) return;
    if (e.step.empty()) e.step = step_of(state);
    channel.fail(std::move(e));
    set_state(State::failed);
    drop_pending_parts();
  }
  void fail(ErrorKind kind, std::string detail) {
    fail(make_error(kind, Protocol::imap, std::move(detail)));
  }
  // A refusal: the server's words and its codes (RFC 5530 response code, [ALERT]) in the error.
  void fail(ErrorKind kind, std::string detail, const ImapResponse& r) {
    fail(make_error(kind, Protocol::imap, std::move(detail), imap_status_text(r), signal_of(r)));
  }

  ServerSignal signal_of(const ImapResponse& r) const {
    ServerSignal s;
    s.alert = alert;
    if (r.code && r.code->name == "ALERT") {
      if (alert_trusted()) s.alert = r.text;
    } else if (r.code) {
      s.response_code = ascii_upper(r.code->name);
    }
    return s;
  }
  // An alert from before a STARTTLS upgrade may be a man in the middle's text: never shown.
  bool alert_trusted() const { return opt.tls != TlsMode::starttls || tls_active; }

  void event(std::string step, std::string detail) {
    events.push_back(Event{std::move(step), std::move(detail)});
  }

  // ---- output ----

  ImapCommand command() const {
    ImapCommand c;
    c.nonsync_ok = caps.literal_plus;
    c.nonsync_small = caps.literal_minus;
    return c;
  }

  // Sends c as the command in flight; its literals wait for the server's "+".
  void send(ImapCommand c, bool secret = false) {
    tag = tags.next();
    last_tag = tag;
    c.parts.back() += "\r\n";
    std::string first = tag + " " + c.parts.front();
    channel.framed_command(first, secret);
    if (secret) {
      wipe(first);
      wipe(c.parts.front());
    }
    drop_pending_parts();
    pending_parts.assign(std::make_move_iterator(c.parts.begin() + 1),
                         std::make_move_iterator(c.parts.end()));
    pending_secret = secret && !pending_parts.empty();
    ++turns;
  }
  void send(std::string_view text) { send(command().text(text)); }
  // Writes a one-line command behind the one in flight, without waiting for its reply.
  void pipeline(std::string_view text, std::optional<State> then = std::nullopt) {
    queued.push_back(Queued{tags.next(), then});
    last_tag = queued.back().tag;
    channel.command(last_tag + " " + std::string(text));
  }
  // Bytes that continue the command in flight (a literal, a SASL response, IDLE's DONE).
  void send_continuation(std::string& bytes, bool secret) {
    if (secret) {
      channel.continue_secret(bytes);
    } else {
      channel.continue_command(bytes);
    }
    ++turns;
  }

  // ---- capabilities and response codes ----

  void apply_caps(const std::vector<std::string>& names) {
    caps = parse_imap_capabilities(names);
    caps_updated = true;
  }

  void apply_code(const ImapCode& code, std::string_view text) {
    if (code.name == "CAPABILITY") {
      bool truncated = false;
      auto names = split_imap_atoms(code.args, opt.limits.max_capabilities, truncated);
      if (truncated) {
        fail(ErrorKind::too_many_capabilities, "too many capabilities");
        return;
      }
      apply_caps(names);
    } else if (code.name == "ALERT") {
      if (alert_trusted()) {
        alert = sanitize_server_text(text);
        event("imap.alert", alert);
      }
    } else {
      box.on_code(code);
    }
  }

  // ---- incoming ----

  void on_bytes(std::string_view data) {
    if (failed() || state == State::done) return;
    if (state == State::tls_handshake) {
      if (auto breach = CommandChannel::tls_boundary_breach("STARTTLS", 0, data)) {
        fail(ErrorKind::starttls_injection, std::move(*breach));
      }
      return;
    }
    while (!data.empty()) {
      std::size_t n = reader.feed(data);
      data.remove_prefix(n);
      ImapResponse r;
      while (!failed() && state != State::tls_handshake && state != State::done) {
        ImapResponseReader::Status st = reader.next(r);
        if (st == ImapResponseReader::Status::need_more) break;
        if (st == ImapResponseReader::Status::error) {
          fail(reader.error());
          break;
        }
        handle(r);
      }
      if (failed() || state == State::done) return;
      if (state == State::tls_handshake) {
        if (auto breach =
                CommandChannel::tls_boundary_breach("STARTTLS", reader.buffered(), data)) {
          fail(ErrorKind::starttls_injection, std::move(*breach));
        }
        return;
      }
      if (n == 0) {
        // Cannot happen: a full buffer always yields a line, a literal chunk or an error.
        return fail(ErrorKind::internal, "the response reader made no progress");
      }
    }
  }

  void handle(const ImapResponse& r) {
    switch (r.kind) {
      case ImapResponse::Kind::continuation:
        return handle_continuation(r);
      case ImapResponse::Kind::untagged:
        return handle_untagged(r);
      case ImapResponse::Kind::tagged:
        return handle_tagged(r);
    }
  }

  void handle_continuation(const ImapResponse& r) {
    if (tag.empty()) {
      fail(ErrorKind::unexpected_continuation, "a '+' with no command in flight");
      return;
    }
    if (!channel.all_sent()) {  // see handle_tagged: a '+' for bytes not yet sent
      fail(make_error(ErrorKind::unexpected_response, Protocol::imap,
                      "the server answered a command before it was sent", r.text));
      return;
    }
    if (!pending_parts.empty()) {
      std::string part = std::move(pending_parts.front());
      pending_parts.erase(pending_parts.begin());
      send_continuation(part, pending_secret);
      return;
    }
    if (state == State::authenticate) return handle_authenticate_challenge(r);
    if (state == State::idle && !idle.accepted()) {
      if (idle.accept()) send_done();
      return;
    }
    fail(make_error(ErrorKind::unexpected_continuation, Protocol::imap,
                    "a '+' the command did not expect", r.text));
  }

  void handle_untagged(const ImapResponse& r) {
    if (state == State::greeting) return handle_greeting(r);
    if (r.status != ImapStatus::none) {
      if (r.code) apply_code(*r.code, r.text);
      if (r.status == ImapStatus::bye) {
        if (state == State::logout || logout_queued()) {  // the LOGOUT's, maybe early
          saw_bye = true;
        } else {
          fail(ErrorKind::bye, "the server closed the session (BYE)", r);
        }
      }
      return;
    }
    const std::string& kw = r.keyword;
    if (kw == "CAPABILITY") {
      apply_caps(r.atoms);
    } else if (kw == "ENABLED") {
      for (const std::string& a : r.atoms)
        utf8 = utf8 || ascii_upper(a) == "UTF8=ACCEPT";
    } else if (box.on_untagged(r)) {
      if (kw == "EXISTS" && state == State::idle && idle.ends_at(box.mailbox().exists)) send_done();
    } else if (kw == "FETCH") {
      const std::uint32_t seq = r.number.value_or(0);
      results.on_fetch(seq, box.on_fetch(seq, r.fetch), r.fetch);
    } else if (kw == "SEARCH" && (state == State::search || state == State::noop_search)) {
      // Behind a NOOP too: a server may run pipelined commands at once and send the SEARCH's
      // data before the NOOP's completion (Dovecot does; RFC 9051 5.5).
      results.on_search(r.numbers);
    } else if ((kw == "LIST" || kw == "LSUB") &&
               (state == State::list || queued_state(State::list))) {
      results.on_list(r.list, utf8);
    } else if (kw == "NAMESPACE" && state == State::namespace_) {
      results.on_namespace(r.ns);
    }
  }

  void handle_tagged(const ImapResponse& r) {
    // The server cannot answer bytes it has not received: a reply while the command is still in
    // our output is out of turn (a forged or injected reply). Acting on it would, after STARTTLS,
    // start TLS with the command still unsent (found by fuzz_imap_session).
    if (channel.peek_reply() == CommandChannel::Turn::early) {
      fail(ErrorKind::unexpected_response, "the server answered a command before it was sent", r);
      return;
    }
    if (tag.empty() || r.tag != tag) {
      fail(ErrorKind::unknown_tag, "a tagged reply for a command this client did not send", r);
      return;
    }
    channel.take_reply();
    tag.clear();  // the pipelined command, if any, is now the one in flight
    next_state.reset();
    if (!queued.empty()) {
      tag = std::move(queued.front().tag);
      next_state = queued.front().state;
      queued.pop_front();
    }
    drop_pending_parts();  // a reply before all literals went out ends the command
    last_code = r.code ? r.code->name : std::string();
    if (r.code) apply_code(*r.code, r.text);
    if (failed()) return;
    const bool ok = r.status == ImapStatus::ok;
    switch (state) {
      case State::capability:
        return handle_capability(r, ok);
      case State::capability_after_auth:
        return handle_capability_after_auth(r, ok);
      case State::starttls:
        return handle_starttls(r, ok);
      case State::authenticate:
      case State::login:
        return handle_login(r, ok);
      case State::enable:
        return handle_enable();
      case State::select:
        return handle_select(r, ok);
      case State::capability_after_select:
        return handle_capability_after_select(r, ok);
      case State::search:
        return handle_search(r);
      case State::noop_search:
        return handle_noop_search();
      case State::fetch:
        return handle_fetch(r);
      case State::fetch_flags:
        return handle_fetch_flags(r);
      case State::store:
        return handle_store(r);
      case State::noop:
        return handle_noop(r);
      case State::namespace_:
        return handle_namespace();
      case State::list:
        return handle_list(r, ok);
      case State::delete_store:
        return handle_delete_store(r, ok);
      case State::expunge:
        return handle_expunge(r, ok);
      case State::move:
        return handle_move(r, ok);
      case State::idle:
        return handle_idle(r);
      case State::logout:
        return handle_logout();
      case State::greeting:
      case State::tls_handshake:
      case State::ready:
      case State::done:
      case State::failed:
        break;
    }
    fail(ErrorKind::unexpected_reply, "a tagged reply in a state that expects none", r);
  }

  // A task's tagged reply: its status kept, its event, and on to what was queued or ready.
  void finish(const ImapResponse& r, std::string step, std::string facts) {
    const ImapTaskStatus& status = results.finish(r);
    event(std::move(step), status.ok ? std::move(facts) : "failed: " + status.server_says);
    if (state == State::fetch) results.end_fetch();
    set_state(next_state.value_or(State::ready));
  }

  // ---- greeting, CAPABILITY, STARTTLS ----

  void handle_greeting(const ImapResponse& r) {
    if (r.kind != ImapResponse::Kind::untagged ||
        (r.status != ImapStatus::ok && r.status != ImapStatus::preauth &&
         r.status != ImapStatus::bye)) {
      fail(ErrorKind::bad_greeting, "the server's first line is not a greeting", r);
      return;
    }
    if (r.status == ImapStatus::bye) {
      fail(ErrorKind::greeting_refused, "the server refused the connection (BYE)", r);
      return;
    }
    if (r.status == ImapStatus::preauth) {
      if (opt.tls == TlsMode::starttls && !tls_active) {
        fail(ErrorKind::preauth_before_tls,
             "the server pre-authenticated the plaintext session, so STARTTLS is impossible", r);
        return;
      }
      preauth = true;
    }
    event("imap.greeting",
          std::string(imap_status_name(r.status)) + " " + sanitize_server_text(r.text, 200));
    caps_updated = false;
    if (r.code) apply_code(*r.code, r.text);
    if (failed()) return;
    if (caps_updated) {
      after_capabilities();
    } else {
      send_capability(State::capability);
    }
  }

  void send_capability(State next) {
    caps_updated = false;
    send("CAPABILITY");
    set_state(next);
  }

  void handle_capability(const ImapResponse& r, bool ok) {
    if (!ok) return fail(ErrorKind::capability_failed, "CAPABILITY was refused", r);
    after_capabilities();
  }

  // STARTTLS, login, or (PREAUTH) the SELECT: whatever comes next.
  void after_capabilities() {
    if (opt.tls == TlsMode::starttls && !tls_active) return send_starttls();
    if (preauth) {
      event("imap.auth", "PREAUTH (authenticated by the server)");
      return send_select();
    }
    start_auth();
  }

  void send_starttls() {
    if (!caps.starttls) {
      return fail(ErrorKind::starttls_unavailable, "the server does not offer STARTTLS");
    }
    send("STARTTLS");
    set_state(State::starttls);
  }

  void handle_starttls(const ImapResponse& r, bool ok) {
    if (!ok) return fail(ErrorKind::starttls_refused, "the server refused STARTTLS", r);
    event("imap.starttls", "server ready for TLS");
    set_state(State::tls_handshake);  // on_bytes() checks that nothing follows the OK
  }

  void on_tls_ready() {
    if (state != State::tls_handshake) return;
    tls_active = true;
    // Everything learnt in plaintext is forgotten: it may have been injected.
    reader.reset();
    caps = ImapCapabilities{};
    box.forget();
    send_capability(State::capability);
  }

  // ---- login: AUTHENTICATE or LOGIN ----

  void start_auth() {
    if (!tls_active && !opt.allow_plaintext) {
      return fail(ErrorKind::plaintext_auth_refused,
                  "refusing to send credentials without TLS (plaintext not allowed)");
    }
    const Credentials& cred = opt.credentials;
    const MechanismPick pick =
        pick_mechanism(opt.mechanism, caps.auth, true, cred.is_token, tls_active);
    if (pick.wanted_not_offered) {
      return fail(ErrorKind::mechanism_unavailable,
                  "the server does not offer AUTH=" + std::string(mechanism_name(*opt.mechanism)));
    }
    if (pick.mechanism) return send_authenticate(*pick.mechanism);
    if (cred.is_token) {
      return fail(ErrorKind::no_mechanism,
                  "the server offers no OAuth mechanism (XOAUTH2, OAUTHBEARER)");
    }
    if (caps.logindisabled) {
      return fail(ErrorKind::login_disabled,
                  "the server disables LOGIN and offers no usable AUTHENTICATE mechanism");
    }
    for (std::string_view v : {std::string_view(cred.user), std::string_view(cred.secret)}) {
      if (v.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) {
        return fail(ErrorKind::bad_credentials, "user name or password contains NUL, CR or LF");
      }
    }
    send_login();
  }

  void send_authenticate(Mechanism mech) {
    sasl.emplace(mech, opt.credentials, opt.limits);
    const std::string name(sasl->name());
    auth_label = "AUTHENTICATE " + name;
    ImapCommand c = command();
    c.text(auth_label);
    // RFC 4959: the initial response on the command line only with SASL-IR; else the server's
    // first "+" asks for it.
    std::optional<std::string> ir =
        sasl->initial_argument(caps.sasl_ir ? std::string::npos : std::size_t{0});
    const bool with_ir = ir.has_value();
    if (with_ir) {
      c.text(" ").text(*ir);
      wipe(*ir);
      auth_label += " (SASL-IR)";
    }
    caps_updated = false;
    send(std::move(c), true);
    set_state(State::authenticate);
    // PLAIN's initial response is the whole exchange: the SELECT can follow in the same
    // flight. Not behind XOAUTH2/OAUTHBEARER, whose refusal is a challenge the client answers.
    if (with_ir && mech == Mechanism::plain) pipeline_select();
  }

  void handle_authenticate_challenge(const ImapResponse& r) {
    // A challenge after an initial response, with the SELECT already behind it: the server
    // would take the SELECT line for the answer.
    if (!queued.empty()) {
      return fail(ErrorKind::unexpected_continuation,
                  "a '+' after AUTHENTICATE's complete initial response");
    }
    std::optional<std::string> line = sasl->answer(r.text);
    if (!line) {
      return fail(make_error(ErrorKind::bad_challenge, Protocol::imap,
                             *sasl->cancelled_detail(false), "+ " + r.text));
    }
    *line += "\r\n";
    send_continuation(*line, true);
  }

  void send_login() {
    ImapCommand c = command();
    c.text("LOGIN ").astring(opt.credentials.user).text(" ").astring(opt.credentials.secret);
    auth_label = "LOGIN";
    caps_updated = false;
    const bool one_line = c.one_line();  // no synchronising literal to wait for
    send(std::move(c), true);
    set_state(State::login);
    if (one_line) pipeline_select();
  }

  void handle_login(const ImapResponse& r, bool ok) {
    if (sasl) {
      if (auto cancelled = sasl->cancelled_detail(ok)) {
        return fail(ErrorKind::bad_challenge, std::move(*cancelled), r);
      }
    }
    if (!ok) {
      std::string detail = "the server refused " + auth_label;
      if (sasl && !sasl->server_error().empty()) {
        detail += "; server error " + sanitize_server_text(sasl->server_error(), 200);
      }
      return fail(ErrorKind::auth_failed, detail, r);
    }
    event("imap.auth", auth_label);
    if (!tag.empty()) {  // SELECT went out behind the login: its reply follows
      // A login reply without capabilities (Exchange's): asked for behind the SELECT.
      if (!caps_updated) pipeline("CAPABILITY", State::capability_after_select);
      pipeline_list();
      return set_state(next_state.value_or(State::select));
    }
    if (caps_updated) {
      send_select();
      return pipeline_list();
    }
    send_capability(State::capability_after_auth);
    pipeline_select();
  }

  void handle_capability_after_auth(const ImapResponse& r, bool ok) {
    if (!ok) return fail(ErrorKind::capability_failed, "CAPABILITY was refused", r);
    if (!tag.empty()) return set_state(next_state.value_or(State::select));  // SELECT was pipelined
    send_select();
  }

  // ---- SELECT (and what rides behind it) ----

  ImapCommand select_command(ImapCommand c) const {
    c.text(opt.read_only ? "EXAMINE " : "SELECT ").astring(opt.mailbox);
    return c;
  }
  // ENABLE UTF8=ACCEPT first when offered, with the SELECT behind it in the same flight (these
  // capabilities are the logged-in ones: a non-synchronising literal may carry the name).
  void send_select() {
    if (caps.utf8_accept && !enable_sent) {
      enable_sent = true;
      send("ENABLE UTF8=ACCEPT");
      set_state(State::enable);
      return queue_select(select_command(command()));
    }
    box.open(opt.mailbox, opt.read_only);
    send(select_command(command()));
    set_state(State::select);
  }
  // Behind the login, or behind the CAPABILITY after it, the SELECT saves a round trip. Only as
  // one line: the capabilities that would allow a non-synchronising literal may still change.
  void pipeline_select() { queue_select(select_command(ImapCommand{})); }
  // c behind the command in flight, with ENABLE UTF8=ACCEPT before it when offered (RFC 5161
  // 3.1: ENABLE only before a mailbox is selected); nothing when c needs a synchronising literal.
  void queue_select(const ImapCommand& c) {
    if (!c.one_line()) return;
    if (caps.utf8_accept && !enable_sent) {
      enable_sent = true;
      pipeline("ENABLE UTF8=ACCEPT", State::enable);
    }
    box.open(opt.mailbox, opt.read_only);
    pipeline(c.parts.front());
  }

  // A refused ENABLE is moot: names stay modified UTF-7. The SELECT follows, maybe pipelined.
  void handle_enable() {
    if (!tag.empty()) return set_state(next_state.value_or(State::select));
    send_select();
  }

  // ImapOptions::list_after_login: LIST RETURN (SPECIAL-USE) behind the SELECT in flight, when
  // the login reply's capabilities allow it in one command.
  void pipeline_list() {
    if (!opt.list_after_login || !caps_updated || !caps.special_use || !caps.list_extended) return;
    if (state == State::enable && queued.empty()) return;  // the SELECT waits for ENABLE's reply
    results.start_list(true);
    pipeline("LIST \"\" \"*\" RETURN (SPECIAL-USE)", State::list);
  }

  void handle_select(const ImapResponse& r, bool ok) {
    if (!ok) {
      return fail(ErrorKind::select_failed,
                  "the server refused to open mailbox " + sanitize_server_text(opt.mailbox), r);
    }
    if (r.code && r.code->name == "READ-ONLY") box.mark_read_only();
    event("imap.select", select_facts());
    set_state(next_state.value_or(State::ready));
  }

  void handle_capability_after_select(const ImapResponse& r, bool ok) {
    if (!ok) return fail(ErrorKind::capability_failed, "CAPABILITY was refused", r);
    set_state(State::ready);
  }

  std::string select_facts() const {
    const ImapMailbox& m = box.mailbox();
    std::string s =
        sanitize_server_text(m.name, 100) + ": " + std::to_string(m.exists) + " messages";
    if (m.uidvalidity) s += ", UIDVALIDITY " + std::to_string(*m.uidvalidity);
    if (m.uidnext) s += ", UIDNEXT " + std::to_string(*m.uidnext);
    if (m.read_only) s += ", read-only";
    return s;
  }

  // ---- tasks ----

  bool begin(ImapTask t, State s, ImapCommand c, std::uint32_t uid = 0) {
    results.begin(t, uid);
    send(std::move(c));
    set_state(s);
    return true;
  }

  void send_search(std::string_view token, bool noop_first) {
    results.start_search();
    const std::string line =
        "UID SEARCH HEADER " + std::string(kTokenHeader) + " " + std::string(token);
    if (!noop_first) {
      begin(ImapTask::search, State::search, command().text(line));
      return;
    }
    begin(ImapTask::search, State::noop_search, command().text("NOOP"));
    pipeline(line);
  }

  void handle_search(const ImapResponse& r) { finish(r, "imap.search", results.search_facts()); }

  // The UID SEARCH behind it is the task; a refused NOOP is moot.
  void handle_noop_search() {
    event("imap.noop", std::to_string(box.mailbox().exists) + " messages");
    set_state(State::search);
  }

  void send_fetch(std::uint32_t uid) {
    results.start_fetch(uid);
    begin(ImapTask::fetch_message, State::fetch,
          command().text("UID FETCH " + std::to_string(uid) +
                         " (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])"),
          uid);
  }

  void handle_fetch(const ImapResponse& r) { finish(r, "imap.fetch", results.fetch_facts()); }

  void send_fetch_flags(std::uint32_t uid) {
    begin(ImapTask::fetch_flags, State::fetch_flags,
          command().text("UID FETCH " + std::to_string(uid) + " (FLAGS)"), uid);
  }

  void handle_fetch_flags(const ImapResponse& r) {
    const std::vector<std::string>* f = box.flags_of(results.uid());
    finish(r, "imap.fetch",
           "uid " + std::to_string(results.uid()) + " flags (" +
               (f == nullptr ? std::string("unknown") : join(*f)) + ")");
  }

  void send_store(std::uint32_t uid, std::string_view flags, bool noop_first) {
    const std::string store =
        "UID STORE " + std::to_string(uid) + " +FLAGS (" + std::string(flags) + ")";
    if (!noop_first) {
      begin(ImapTask::store, State::store, command().text(store), uid);
      return;
    }
    begin(ImapTask::store, State::noop, command().text("NOOP"), uid);
    pipeline(store, State::store);
  }

  void handle_store(const ImapResponse& r) {
    finish(r, "imap.store", "uid " + std::to_string(results.uid()) + " flags added");
  }

  void handle_noop(const ImapResponse& r) {
    finish(r, "imap.noop", std::to_string(box.mailbox().exists) + " messages");
  }

  void send_list() {
    const bool special_use = caps.special_use && caps.list_extended;
    results.start_list(special_use);
    if (special_use) {
      begin(ImapTask::list, State::list, command().text("LIST \"\" \"*\" RETURN (SPECIAL-USE)"));
      return;
    }
    if (caps.namespace_) {
      begin(ImapTask::list, State::namespace_, command().text("NAMESPACE"));
      return;
    }
    begin(ImapTask::list, State::list, command().text("LIST \"\" \"*\""));
  }

  void handle_namespace() {
    send(command().text("LIST \"\" \"*\""));
    set_state(State::list);
  }

  void handle_list(const ImapResponse& r, bool ok) {
    results.end_list(ok);
    finish(r, "imap.list", results.list_facts());
  }

  // UID STORE +FLAGS.SILENT (\Deleted), with UIDPLUS the UID EXPUNGE in the same flight: it
  // removes only messages of that UID that have \Deleted, so if the STORE is refused it removes
  // nothing (and never another message). Without UIDPLUS no EXPUNGE is ever sent.
  void send_delete(std::uint32_t uid, bool as_task) {
    results.start_removal(uid);
    const std::string store = "UID STORE " + std::to_string(uid) + " +FLAGS.SILENT (\\Deleted)";
    if (as_task) {
      begin(ImapTask::delete_uid, State::delete_store, command().text(store), uid);
    } else {
      pipeline(store, State::delete_store);
    }
    if (caps.uidplus) pipeline("UID EXPUNGE " + std::to_string(uid));
  }

  void handle_delete_store(const ImapResponse& r, bool ok) {
    results.on_delete_store(ok, caps.uidplus);
    // With UIDPLUS the UID EXPUNGE went out with the STORE: its reply follows.
    if (caps.uidplus) return set_state(State::expunge);
    finish(r, "imap.store",
           "uid " + std::to_string(results.uid()) +
               " flagged \\Deleted only (no UIDPLUS, no EXPUNGE sent)");
  }

  void handle_expunge(const ImapResponse& r, bool ok) {
    results.on_expunge(ok);
    finish(r, "imap.expunge", "uid " + std::to_string(results.uid()) + " expunged");
  }

  void send_move(std::uint32_t uid, std::string_view folder) {
    results.start_removal(uid);
    ImapCommand c = command();
    c.text("UID MOVE " + std::to_string(uid) + " ").astring(folder);
    begin(ImapTask::move, State::move, std::move(c), uid);
  }

  void handle_move(const ImapResponse& r, bool ok) {
    results.on_move(ok);
    finish(r, "imap.move", "uid " + std::to_string(results.uid()) + " moved");
  }

  void send_idle() {
    idle.start(box.mailbox().exists);
    begin(ImapTask::idle, State::idle, command().text("IDLE"));
  }

  void send_done() {
    std::string done = "DONE\r\n";
    send_continuation(done, false);
    idle.done_sent();
  }

  void handle_idle(const ImapResponse& r) {
    finish(r, "imap.idle", std::to_string(box.mailbox().exists) + " messages");
  }

  void send_logout() {
    saw_bye = false;
    begin(ImapTask::logout, State::logout, command().text("LOGOUT"));
  }

  void handle_logout() {
    event("imap.logout", saw_bye ? "BYE and OK" : "OK");
    set_state(State::done);
  }
};

ImapClient::ImapClient(ImapOptions options)
    : impl_(std::make_unique<Impl>(std::move(options), *this)) {}
ImapClient::~ImapClient() = default;

void ImapClient::on_bytes(std::string_view data) {
  impl_->on_bytes(data);
}

void ImapClient::on_eof() {
  Impl& m = *impl_;
  if (m.state == State::done || m.failed()) return;
  if (m.state == State::logout && m.saw_bye) {
    m.event("imap.logout", "BYE, then the server closed the connection");
    m.set_state(State::done);
    return;
  }
  m.fail(ErrorKind::connection_closed,
         m.reader.mid_response() ? "the server closed the connection in the middle of a response"
                                 : "the server closed the connection unexpectedly");
}

std::string_view ImapClient::output() {
  return impl_->channel.pending();
}

// LOGIN (with its literals) and the AUTHENTICATE exchange are the only commands with a credential.
bool ImapClient::output_sensitive() const {
  return impl_->channel.sensitive();
}

void ImapClient::consume(std::size_t n) {
  impl_->channel.consume(n);
}

bool ImapClient::wants_tls() const {
  return impl_->state == State::tls_handshake;
}

void ImapClient::on_tls_ready() {
  impl_->on_tls_ready();
}

std::optional<Event> ImapClient::next_event() {
  if (impl_->events.empty()) return std::nullopt;
  Event e = std::move(impl_->events.front());
  impl_->events.pop_front();
  return e;
}

bool ImapClient::done() const {
  return impl_->state == State::done && impl_->channel.all_sent();
}
const Error& ImapClient::error() const {
  return impl_->channel.error();
}
bool ImapClient::ready() const {
  return impl_->state == State::ready;
}

bool ImapClient::search_token(std::string_view token) {
  if (!ready() || !valid_token(token)) return false;
  impl_->send_search(token, false);
  return true;
}

bool ImapClient::noop_search(std::string_view token) {
  if (!ready() || !valid_token(token)) return false;
  impl_->send_search(token, true);
  return true;
}

bool ImapClient::fetch_remove_logout(std::uint32_t uid) {
  if (!fetch_message(uid)) return false;
  impl_->send_delete(uid, false);
  return queue_logout();
}

bool ImapClient::queue_logout() {
  Impl& m = *impl_;
  if (ready() || m.logout_queued() || m.state == State::logout) return false;
  if (m.failed() || m.state == State::done || m.state == State::idle) return false;
  if (m.state < State::ready) return false;  // still setting up
  m.saw_bye = false;
  m.pipeline("LOGOUT", State::logout);
  return true;
}

bool ImapClient::fetch_message(std::uint32_t uid) {
  if (!ready() || uid == 0) return false;
  impl_->send_fetch(uid);
  return true;
}

bool ImapClient::fetch_flags(std::uint32_t uid) {
  if (!ready() || uid == 0) return false;
  impl_->send_fetch_flags(uid);
  return true;
}

bool ImapClient::store_flags(std::uint32_t uid, std::string_view flags, bool noop_first) {
  if (!ready() || uid == 0 || flags.empty() || flags.front() == ' ' || flags.back() == ' ') {
    return false;
  }
  for (unsigned char c : flags) {
    if (!std::isalnum(c) &&
        std::string_view("\\$-_. ").find(static_cast<char>(c)) == std::string_view::npos) {
      return false;
    }
  }
  impl_->send_store(uid, flags, noop_first);
  return true;
}

bool ImapClient::noop() {
  if (!ready()) return false;
  return impl_->begin(ImapTask::noop, State::noop, impl_->command().text("NOOP"));
}

bool ImapClient::list_folders() {
  if (!ready()) return false;
  impl_->send_list();
  return true;
}

bool ImapClient::delete_uid(std::uint32_t uid) {
  if (!ready() || uid == 0) return false;
  impl_->send_delete(uid, true);
  return true;
}

bool ImapClient::move_uid(std::uint32_t uid, std::string_view folder) {
  if (!ready() || uid == 0 || !impl_->caps.move || folder.empty()) return false;
  if (folder.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) return false;
  impl_->send_move(uid, folder);
  return true;
}

bool ImapClient::idle() {
  if (!ready() || !impl_->caps.idle) return false;
  impl_->send_idle();
  return true;
}

void ImapClient::idle_done() {
  Impl& m = *impl_;
  if (m.state == State::idle && m.idle.stop()) m.send_done();
}

bool ImapClient::idling() const {
  return impl_->state == State::idle && impl_->idle.idling();
}

bool ImapClient::logout() {
  if (!ready()) return false;
  impl_->send_logout();
  return true;
}

const std::string& ImapClient::alert() const {
  return impl_->alert;
}
const ImapTaskStatus& ImapClient::last_task() const {
  return impl_->results.status();
}
const std::vector<std::uint32_t>& ImapClient::search_result() const {
  return impl_->results.search();
}
const ImapTaskStatus& ImapClient::fetch_status() const {
  return impl_->results.fetch_status();
}
const ImapFetchedMessage& ImapClient::fetched_message() const {
  return impl_->results.fetched();
}
std::optional<std::vector<std::string>> ImapClient::flags_of(std::uint32_t uid) const {
  const std::vector<std::string>* f = impl_->box.flags_of(uid);
  if (f == nullptr) return std::nullopt;
  return *f;
}
bool ImapClient::listed() const {
  return impl_->results.listed();
}
const ImapFolderList& ImapClient::folders() const {
  return impl_->results.folders();
}
ImapDeleteOutcome ImapClient::delete_outcome() const {
  return impl_->results.delete_outcome();
}
bool ImapClient::utf8_enabled() const {
  return impl_->utf8;
}

const ImapCapabilities& ImapClient::capabilities() const {
  return impl_->caps;
}
const ImapMailbox& ImapClient::mailbox() const {
  return impl_->box.mailbox();
}
bool ImapClient::tls_active() const {
  return impl_->tls_active;
}
bool ImapClient::preauthenticated() const {
  return impl_->preauth;
}
const std::string& ImapClient::last_tag() const {
  return impl_->last_tag;
}
const std::string& ImapClient::last_code() const {
  return impl_->last_code;
}
std::size_t ImapClient::turns() const {
  return impl_->turns;
}

}  // namespace mv
