// SPDX-License-Identifier: Apache-2.0
#include "protocols/imap/client.hpp"

#include <algorithm>
#include <cctype>

#include "protocols/common/ascii.hpp"
#include "protocols/common/base64.hpp"

namespace mv {

namespace {

bool atom_safe(std::string_view v) {
  if (v.empty() || iequals(v, "NIL")) return false;
  for (unsigned char c : v) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("(){%*\"\\]").find(static_cast<char>(c)) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool quotable(std::string_view v) {
  for (unsigned char c : v) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

bool parse_u32(std::string_view s, std::uint32_t& out) {
  if (s.empty() || s.size() > 10) return false;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n > UINT32_MAX) return false;
  out = static_cast<std::uint32_t>(n);
  return true;
}

std::string status_text(const ImapResponse& r) {
  std::string s;
  if (r.code) {
    s = "[" + r.code->name;
    if (!r.code->args.empty()) s += " " + r.code->args;
    s += "]";
    if (!r.text.empty()) s += " ";
  }
  return s + r.text;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v)
    s += (s.empty() ? "" : " ") + x;
  return s;
}

// A command under construction: parts[0] goes out at once, each later part after a "+".
struct Command {
  std::vector<std::string> parts{std::string()};
  bool nonsync_ok = false;     // LITERAL+ (any size)
  bool nonsync_small = false;  // LITERAL- (up to 4096 bytes)

  Command& text(std::string_view t) {
    parts.back() += t;
    return *this;
  }
  Command& astring(std::string_view v) {
    if (atom_safe(v)) return text(v);
    if (quotable(v)) return text("\"").text(v).text("\"");
    std::string n = std::to_string(v.size());
    if (nonsync_ok || (nonsync_small && v.size() <= 4096)) {
      return text("{" + n + "+}\r\n").text(v);
    }
    text("{" + n + "}\r\n");
    parts.emplace_back(v);
    return *this;
  }
};

enum class State {
  greeting,
  capability,
  starttls,
  tls_handshake,
  authenticate,
  login,
  capability_after_auth,
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

constexpr std::size_t kMaxTrackedUids = 256;

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

std::string ImapTagGenerator::next() {
  state_ += 0x9e3779b97f4a7c15ull;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string tag = "M";
  for (int i = 0; i < 10; ++i) {
    tag += kAlphabet[z % 36];
    z /= 36;
  }
  return tag;
}

std::string_view imap_task_name(ImapTask t) {
  switch (t) {
    case ImapTask::none:
      return "none";
    case ImapTask::search:
      return "search";
    case ImapTask::fetch_message:
      return "fetch_message";
    case ImapTask::fetch_flags:
      return "fetch_flags";
    case ImapTask::store:
      return "store";
    case ImapTask::noop:
      return "noop";
    case ImapTask::list:
      return "list";
    case ImapTask::delete_uid:
      return "delete_uid";
    case ImapTask::move:
      return "move";
    case ImapTask::idle:
      return "idle";
    case ImapTask::logout:
      return "logout";
  }
  return "unknown";
}

bool ImapCapabilities::has(std::string_view name) const {
  std::string u = ascii_upper(name);
  for (const auto& n : names) {
    if (n == u) return true;
  }
  return false;
}

bool ImapFolder::has_attribute(std::string_view attr) const {
  for (const auto& a : attributes) {
    if (iequals(a, attr)) return true;
  }
  return false;
}

const ImapFolder* ImapFolderList::special_use(std::string_view attr) const {
  for (const auto& f : folders) {
    if (f.has_attribute(attr)) return &f;
  }
  return nullptr;
}

struct ImapClient::Impl final : LiteralSink {
  explicit Impl(ImapOptions o)
      : opt(std::move(o)),
        reader(opt.limits),
        tags(opt.tag_seed),
        tls_active(opt.tls == TlsMode::implicit) {
    reader.set_sink(this);
  }

  ImapOptions opt;
  ImapResponseReader reader;
  ImapTagGenerator tags;
  State state = State::greeting;
  std::string out;
  std::size_t out_pos = 0;
  std::deque<Event> events;
  Error error;
  ImapCapabilities caps;
  bool caps_updated = false;
  bool tls_active = false;
  bool preauth = false;
  std::string tag;  // in flight
  // Commands written behind the one in flight (pipelined, RFC 9051 5.5), in order: each one's
  // tag, where its bytes start in `out` (a reply may come for a command whose bytes are out while
  // later ones are still unsent, never for one not yet sent), and the state its reply is read in
  // (nullopt: the state handling the reply before it chooses). Used for SELECT behind a one-line
  // login, CAPABILITY + SELECT after a login reply without capabilities (Exchange's), UID
  // SEARCH behind a NOOP, UID EXPUNGE behind the STORE of \Deleted, and a fetch with the
  // removal and LOGOUT behind it.
  struct Queued {
    std::string tag;
    std::size_t start = 0;
    std::optional<State> state;
  };
  std::deque<Queued> queued;
  std::optional<State> next_state;  // of the command now in flight, when it was queued
  std::string last_tag;
  std::string last_code;
  std::vector<std::string> pending_parts;
  std::size_t turns = 0;

  std::optional<SaslClient> sasl;
  std::optional<std::string> pending_ir;
  std::size_t sasl_rounds = 0;
  std::string auth_label;
  std::string alert;  // the last [ALERT] text (sanitised), carried into a failure's signal

  ImapMailbox mailbox;
  ImapTaskStatus task;
  ImapTaskStatus fetch_task;  // the last fetch_message's, kept past the commands behind it
  std::vector<std::uint32_t> search;
  bool search_truncated = false;
  ImapFetchedMessage fetched;
  std::uint32_t target_uid = 0;
  bool store_ok = false;  // the STORE of \Deleted before a pipelined UID EXPUNGE
  MessageScanner scanner;
  bool scanning = false;
  std::optional<ScannedMessage> scanned;
  std::uint32_t scanned_seq = 0;
  std::map<std::uint32_t, std::vector<std::string>> flags_by_uid;
  std::map<std::uint32_t, std::uint32_t> seq_to_uid;
  ImapFolderList folders;
  bool listed = false;  // folders holds a LIST's successful answer
  ImapDeleteOutcome delete_outcome = ImapDeleteOutcome::none;
  bool idle_accepted = false, idle_done_requested = false, done_sent = false;
  std::uint32_t idle_exists_start = 0;
  bool saw_bye = false;

  // LiteralSink: only the body of the message being fetched is scanned; others are dropped.
  void literal_begin(std::uint32_t seq, std::string_view item, std::uint64_t) override {
    scanning = state == State::fetch && (iequals(item, "BODY[]") || iequals(item, "RFC822"));
    if (scanning) {
      scanner = MessageScanner{};  // drops what an interrupted literal left
      scanned_seq = seq;
    }
  }
  void literal_data(std::string_view chunk) override {
    if (scanning) scanner.update(chunk);
  }
  void literal_end() override {
    if (!scanning) return;
    scanned = scanner.finish();
    scanning = false;
  }

  void set_state(State s) { state = s; }
  bool queued_state(State s) const {
    return std::any_of(queued.begin(), queued.end(), [s](const Queued& q) { return q.state == s; });
  }
  bool logout_queued() const { return queued_state(State::logout); }

  void fail(Error e) {
    if (state == State::failed) return;
    if (e.step.empty()) e.step = step_of(state);
    error = std::move(e);
    set_state(State::failed);
    out.clear();
    out_pos = 0;
    pending_parts.clear();
  }
  void fail(ErrorKind kind, std::string detail) {
    fail(make_error(kind, Protocol::imap, std::move(detail)));
  }
  // A refusal: the server's words and its codes (RFC 5530 response code, [ALERT]) in the error.
  void fail(ErrorKind kind, std::string detail, const ImapResponse& r) {
    fail(make_error(kind, Protocol::imap, std::move(detail), status_text(r), signal_of(r)));
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

  Command command() const {
    Command c;
    c.nonsync_ok = caps.literal_plus;
    c.nonsync_small = caps.literal_minus;
    return c;
  }

  void send(Command c) {
    tag = tags.next();
    last_tag = tag;
    c.parts.back() += "\r\n";
    out += tag + " " + c.parts.front();
    pending_parts.assign(c.parts.begin() + 1, c.parts.end());
    ++turns;
  }
  // Writes a one-line command behind the one in flight, without waiting for its reply.
  void pipeline(std::string_view text, std::optional<State> then = std::nullopt) {
    queued.push_back(Queued{tags.next(), out.size(), then});
    last_tag = queued.back().tag;
    out += last_tag + " " + std::string(text) + "\r\n";
  }
  void send(std::string_view text) { send(command().text(text)); }

  void send_capability(State next) {
    caps_updated = false;
    send("CAPABILITY");
    set_state(next);
  }

  void apply_caps(const std::vector<std::string>& names) {
    caps = ImapCapabilities{};
    for (const auto& raw : names) {
      std::string n = ascii_upper(raw);
      if (n == "IMAP4REV1") caps.imap4rev1 = true;
      if (n == "IMAP4REV2") caps.imap4rev2 = true;
      if (n == "STARTTLS") caps.starttls = true;
      if (n == "LOGINDISABLED") caps.logindisabled = true;
      if (n == "SASL-IR") caps.sasl_ir = true;
      if (n == "LITERAL+") caps.literal_plus = true;
      if (n == "LITERAL-") caps.literal_minus = true;
      if (n == "IDLE") caps.idle = true;
      if (n == "UIDPLUS") caps.uidplus = true;
      if (n == "MOVE") caps.move = true;
      if (n == "SPECIAL-USE") caps.special_use = true;
      if (n == "LIST-EXTENDED") caps.list_extended = true;
      if (n == "NAMESPACE") caps.namespace_ = true;
      if (n.rfind("AUTH=", 0) == 0) {
        if (auto m = mechanism_from_name(std::string_view(n).substr(5))) caps.auth.push_back(*m);
      }
      caps.names.push_back(std::move(n));
    }
    caps_updated = true;
  }

  void apply_code(const ImapCode& code, std::string_view text) {
    std::uint32_t n = 0;
    if (code.name == "CAPABILITY") {
      bool truncated = false;
      auto names = split_imap_atoms(code.args, opt.limits.max_capabilities, truncated);
      if (truncated) {
        fail(ErrorKind::too_many_capabilities, "too many capabilities");
        return;
      }
      apply_caps(names);
    } else if (code.name == "UIDVALIDITY" && parse_u32(code.args, n)) {
      mailbox.uidvalidity = n;
    } else if (code.name == "UIDNEXT" && parse_u32(code.args, n)) {
      mailbox.uidnext = n;
    } else if (code.name == "PERMANENTFLAGS") {
      std::string_view a = code.args;
      if (!a.empty() && a.front() == '(') a.remove_prefix(1);
      if (!a.empty() && a.back() == ')') a.remove_suffix(1);
      bool truncated = false;
      mailbox.permanent_flags = split_imap_atoms(a, opt.limits.max_capabilities, truncated);
    } else if (code.name == "ALERT") {
      if (alert_trusted()) {
        alert = sanitize_server_text(text);
        event("imap.alert", alert);
      }
    }
  }

  // ---- incoming ----

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
    if (out_pos < out.size()) {  // see handle_tagged: a '+' for bytes not yet sent
      fail(make_error(ErrorKind::unexpected_response, Protocol::imap,
                      "the server answered a command before it was sent", r.text));
      return;
    }
    if (!pending_parts.empty()) {
      out += pending_parts.front();
      pending_parts.erase(pending_parts.begin());
      ++turns;
      return;
    }
    if (state == State::authenticate) {
      // A challenge after an initial response, with the SELECT already behind it: the server
      // would take the SELECT line for the answer.
      if (!queued.empty()) {
        return fail(ErrorKind::unexpected_continuation,
                    "a '+' after AUTHENTICATE's complete initial response");
      }
      return auth_continue(r.text);
    }
    if (state == State::idle && !idle_accepted) {
      idle_accepted = true;
      if (idle_done_requested) send_done();
      return;
    }
    fail(make_error(ErrorKind::unexpected_continuation, Protocol::imap,
                    "a '+' the command did not expect", r.text));
  }

  void auth_continue(std::string_view text) {
    ++turns;
    if (pending_ir) {
      out += base64_encode(*pending_ir) + "\r\n";
      pending_ir.reset();
      return;
    }
    std::optional<std::string> challenge = std::string();
    if (!text.empty()) challenge = base64_decode(text);
    std::optional<std::string> resp;
    if (challenge && ++sasl_rounds <= opt.limits.max_sasl_rounds) resp = sasl->respond(*challenge);
    out += resp ? base64_encode(*resp) + "\r\n" : std::string("*\r\n");
  }

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
    if (state == State::failed) return;
    if (caps_updated) {
      after_capabilities();
    } else {
      send_capability(State::capability);
    }
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
    std::uint32_t n = r.number.value_or(0);
    if (kw == "CAPABILITY") {
      apply_caps(r.atoms);
    } else if (kw == "EXISTS") {
      mailbox.exists = n;
      if (state == State::idle && idle_accepted && !done_sent && n > idle_exists_start) {
        send_done();
      }
    } else if (kw == "RECENT") {
      mailbox.recent = n;
    } else if (kw == "EXPUNGE") {
      if (mailbox.exists > 0) --mailbox.exists;
      seq_to_uid.clear();  // sequence numbers shifted
    } else if (kw == "FLAGS") {
      mailbox.flags = r.atoms;
    } else if (kw == "FETCH") {
      handle_fetch(r);
    } else if (kw == "SEARCH" && (state == State::search || state == State::noop_search)) {
      // Behind a NOOP too: a server may run pipelined commands at once and send the SEARCH's
      // data before the NOOP's completion (Dovecot does; RFC 9051 5.5).
      for (std::uint32_t uid : r.numbers) {
        if (search.size() >= opt.max_search_results) {
          search_truncated = true;
          break;
        }
        search.push_back(uid);
      }
    } else if ((kw == "LIST" || kw == "LSUB") &&
               (state == State::list || queued_state(State::list))) {
      if (folders.folders.size() >= opt.max_folders) {
        folders.truncated = true;
      } else {
        folders.folders.push_back(ImapFolder{r.list.name, r.list.separator, r.list.attributes});
      }
    } else if (kw == "NAMESPACE" && state == State::namespace_) {
      folders.personal = r.ns;
    }
  }

  void handle_fetch(const ImapResponse& r) {
    std::uint32_t seq = r.number.value_or(0);
    std::optional<std::uint32_t> uid = r.fetch.uid;
    if (uid) {
      if (seq_to_uid.size() >= kMaxTrackedUids) seq_to_uid.clear();
      seq_to_uid[seq] = *uid;
    } else if (auto it = seq_to_uid.find(seq); it != seq_to_uid.end()) {
      uid = it->second;
    }
    if (uid && r.fetch.flags) {
      if (flags_by_uid.size() >= kMaxTrackedUids && !flags_by_uid.count(*uid)) {
        flags_by_uid.erase(flags_by_uid.begin());
      }
      flags_by_uid[*uid] = *r.fetch.flags;
    }
    if (state == State::fetch && uid && *uid == target_uid) {
      fetched.seq = seq;
      if (r.fetch.flags) fetched.flags = *r.fetch.flags;
      if (r.fetch.internaldate) fetched.internaldate = *r.fetch.internaldate;
      if (r.fetch.rfc822_size) fetched.rfc822_size = r.fetch.rfc822_size;
      if (!r.fetch.body_items.empty() && scanned && scanned_seq == seq) {
        fetched.found = true;
        fetched.message = std::move(*scanned);
      }
    }
    scanned.reset();
  }

  void handle_tagged(const ImapResponse& r) {
    // The server cannot answer bytes it has not received: a reply while the command is still in
    // our output is out of turn (a forged or injected reply). Acting on it would, after STARTTLS,
    // start TLS with the command still unsent (found by fuzz_imap_session).
    if (out_pos < (queued.empty() ? out.size() : queued.front().start)) {
      fail(ErrorKind::unexpected_response, "the server answered a command before it was sent", r);
      return;
    }
    if (tag.empty() || r.tag != tag) {
      fail(ErrorKind::unknown_tag, "a tagged reply for a command this client did not send", r);
      return;
    }
    tag.clear();  // the pipelined command, if any, is now the one in flight
    next_state.reset();
    if (!queued.empty()) {
      tag = std::move(queued.front().tag);
      next_state = queued.front().state;
      queued.pop_front();
    }
    pending_parts.clear();  // a reply before all literals went out ends the command
    last_code = r.code ? r.code->name : std::string();
    if (r.code) apply_code(*r.code, r.text);
    if (state == State::failed) return;
    bool ok = r.status == ImapStatus::ok;
    switch (state) {
      case State::capability:
      case State::capability_after_auth:
        if (!ok) {
          return fail(ErrorKind::capability_failed, "CAPABILITY was refused", r);
        }
        if (state == State::capability) return after_capabilities();
        if (!tag.empty()) return set_state(State::select);  // SELECT was pipelined: its reply
        return start_select();
      case State::starttls:
        if (!ok) {
          return fail(ErrorKind::starttls_refused, "the server refused STARTTLS", r);
        }
        event("imap.starttls", "server ready for TLS");
        return set_state(State::tls_handshake);
      case State::authenticate:
      case State::login:
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
          return set_state(State::select);
        }
        if (caps_updated) {
          start_select();
          return pipeline_list();
        }
        send_capability(State::capability_after_auth);
        return pipeline_select();
      case State::select:
        if (!ok) {
          return fail(ErrorKind::select_failed,
                      "the server refused to open mailbox " + sanitize_server_text(opt.mailbox), r);
        }
        if (r.code && r.code->name == "READ-ONLY") mailbox.read_only = true;
        event("imap.select", select_facts());
        return set_state(next_state.value_or(State::ready));
      case State::capability_after_select:
        if (!ok) {
          return fail(ErrorKind::capability_failed, "CAPABILITY was refused", r);
        }
        return set_state(State::ready);
      case State::search:
        return finish(r, "imap.search",
                      std::to_string(search.size()) + " match" + (search.size() == 1 ? "" : "es") +
                          (search_truncated ? " (truncated)" : ""));
      case State::fetch:
        return finish(r, "imap.fetch", fetch_facts());
      case State::fetch_flags: {
        auto f = flags_by_uid.find(target_uid);
        return finish(r, "imap.fetch",
                      "uid " + std::to_string(target_uid) + " flags (" +
                          (f == flags_by_uid.end() ? std::string("unknown") : join(f->second)) +
                          ")");
      }
      case State::store:
        return finish(r, "imap.store", "uid " + std::to_string(target_uid) + " flags added");
      case State::noop:
        return finish(r, "imap.noop", std::to_string(mailbox.exists) + " messages");
      case State::noop_search:  // the UID SEARCH behind it is the task; a refused NOOP is moot
        event("imap.noop", std::to_string(mailbox.exists) + " messages");
        return set_state(State::search);
      case State::namespace_:
        send(command().text("LIST \"\" \"*\""));
        return set_state(State::list);
      case State::list:
        listed = ok;
        return finish(r, "imap.list",
                      std::to_string(folders.folders.size()) + " folders" +
                          (folders.truncated ? " (truncated)" : ""));
      case State::delete_store:
        if (caps.uidplus) {  // UID EXPUNGE went out with the STORE: its reply follows
          store_ok = ok;
          return set_state(State::expunge);
        }
        delete_outcome = ok ? ImapDeleteOutcome::flagged_only : ImapDeleteOutcome::failed;
        return finish(r, "imap.store",
                      "uid " + std::to_string(target_uid) +
                          " flagged \\Deleted only (no UIDPLUS, no EXPUNGE sent)");
      case State::expunge:
        // After a refused STORE the message has no \Deleted, so the EXPUNGE removed nothing.
        delete_outcome = ok && store_ok ? ImapDeleteOutcome::expunged : ImapDeleteOutcome::failed;
        return finish(r, "imap.expunge", "uid " + std::to_string(target_uid) + " expunged");
      case State::move:
        delete_outcome = ok ? ImapDeleteOutcome::moved : ImapDeleteOutcome::failed;
        return finish(r, "imap.move", "uid " + std::to_string(target_uid) + " moved");
      case State::idle:
        return finish(r, "imap.idle", std::to_string(mailbox.exists) + " messages");
      case State::logout:
        event("imap.logout", saw_bye ? "BYE and OK" : "OK");
        return set_state(State::done);
      default:
        return fail(ErrorKind::unexpected_reply, "a tagged reply in a state that expects none", r);
    }
  }

  void finish(const ImapResponse& r, std::string step, std::string facts) {
    task.finished = true;
    task.ok = r.status == ImapStatus::ok;
    task.server_says = sanitize_server_text(status_text(r));
    task.code = r.code ? r.code->name : std::string();
    event(std::move(step), task.ok ? std::move(facts) : "failed: " + task.server_says);
    if (state == State::fetch) fetch_task = task;
    set_state(next_state.value_or(State::ready));
  }

  std::string select_facts() const {
    std::string s = sanitize_server_text(mailbox.name, 100) + ": " +
                    std::to_string(mailbox.exists) + " messages";
    if (mailbox.uidvalidity) s += ", UIDVALIDITY " + std::to_string(*mailbox.uidvalidity);
    if (mailbox.uidnext) s += ", UIDNEXT " + std::to_string(*mailbox.uidnext);
    if (mailbox.read_only) s += ", read-only";
    return s;
  }

  std::string fetch_facts() const {
    if (!fetched.found) return "uid " + std::to_string(target_uid) + " not returned";
    return "uid " + std::to_string(fetched.uid) + ", " + std::to_string(fetched.message.bytes) +
           " bytes, token " + (fetched.message.token ? "present" : "missing");
  }

  // ---- flow ----

  void after_capabilities() {
    if (opt.tls == TlsMode::starttls && !tls_active) {
      if (!caps.starttls) {
        return fail(ErrorKind::starttls_unavailable, "the server does not offer STARTTLS");
      }
      send("STARTTLS");
      return set_state(State::starttls);
    }
    if (preauth) {
      event("imap.auth", "PREAUTH (authenticated by the server)");
      return start_select();
    }
    start_auth();
  }

  void start_auth() {
    if (!tls_active && !opt.allow_plaintext) {
      return fail(ErrorKind::plaintext_auth_refused,
                  "refusing to send credentials without TLS (plaintext not allowed)");
    }
    const Credentials& cred = opt.credentials;
    std::optional<Mechanism> mech;
    if (opt.mechanism) {
      for (Mechanism m : caps.auth) {
        if (m == *opt.mechanism) mech = m;
      }
      if (!mech) {
        return fail(
            ErrorKind::mechanism_unavailable,
            "the server does not offer AUTH=" + std::string(mechanism_name(*opt.mechanism)));
      }
    } else {
      mech = choose_mechanism(caps.auth, cred.is_token, tls_active);
    }
    if (mech) {
      sasl.emplace(*mech, cred);
      sasl_rounds = 0;
      std::optional<std::string> ir = sasl->initial_response();
      std::string name(mechanism_name(*mech));
      Command c = command();
      c.text("AUTHENTICATE " + name);
      auth_label = "AUTHENTICATE " + name;
      const bool with_ir = ir && caps.sasl_ir;
      if (with_ir) {
        c.text(" ").text(ir->empty() ? std::string("=") : base64_encode(*ir));
        auth_label += " (SASL-IR)";
      } else {
        pending_ir = ir;
      }
      caps_updated = false;
      send(std::move(c));
      set_state(State::authenticate);
      // PLAIN's initial response is the whole exchange: the SELECT can follow in the same
      // flight. Not behind XOAUTH2/OAUTHBEARER, whose refusal is a challenge the client answers.
      if (with_ir && *mech == Mechanism::plain) pipeline_select();
      return;
    }
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
    Command c = command();
    c.text("LOGIN ").astring(cred.user).text(" ").astring(cred.secret);
    auth_label = "LOGIN";
    caps_updated = false;
    const bool one_line = c.parts.size() == 1;  // no synchronising literal to wait for
    send(std::move(c));
    set_state(State::login);
    if (one_line) pipeline_select();
  }

  Command select_command(Command c) const {
    c.text(opt.read_only ? "EXAMINE " : "SELECT ").astring(opt.mailbox);
    return c;
  }
  void reset_mailbox() {
    mailbox = ImapMailbox{};
    mailbox.name = opt.mailbox;
    mailbox.read_only = opt.read_only;
  }
  void start_select() {
    reset_mailbox();
    send(select_command(command()));
    set_state(State::select);
  }
  // Behind the login, or behind the CAPABILITY after it, the SELECT saves a round trip. Only as
  // one line: the capabilities that would allow a non-synchronising literal may still change.
  void pipeline_select() {
    Command c = select_command(Command{});
    if (c.parts.size() != 1) return;
    reset_mailbox();
    pipeline(c.parts.front());
  }

  // ImapOptions::list_after_login: LIST RETURN (SPECIAL-USE) behind the SELECT in flight, when
  // the login reply's capabilities allow it in one command.
  void pipeline_list() {
    if (!opt.list_after_login || !caps_updated || !caps.special_use || !caps.list_extended) return;
    folders = ImapFolderList{};
    folders.special_use_requested = true;
    pipeline("LIST \"\" \"*\" RETURN (SPECIAL-USE)", State::list);
  }

  void send_done() {
    out += "DONE\r\n";
    done_sent = true;
    ++turns;
  }

  bool begin(ImapTask t, State s, Command c) {
    task = ImapTaskStatus{};
    task.task = t;
    send(std::move(c));
    set_state(s);
    return true;
  }

  void on_bytes(std::string_view data) {
    if (state == State::failed || state == State::done) return;
    if (state == State::tls_handshake) {
      return fail(ErrorKind::starttls_injection,
                  "plaintext bytes arrived after the STARTTLS reply (possible injection)");
    }
    while (!data.empty()) {
      std::size_t n = reader.feed(data);
      data.remove_prefix(n);
      ImapResponse r;
      while (state != State::failed && state != State::tls_handshake && state != State::done) {
        ImapResponseReader::Status st = reader.next(r);
        if (st == ImapResponseReader::Status::need_more) break;
        if (st == ImapResponseReader::Status::error) {
          fail(reader.error());
          break;
        }
        handle(r);
      }
      if (state == State::failed || state == State::done) return;
      if (state == State::tls_handshake) {
        if (reader.buffered() > 0 || !data.empty()) {
          fail(ErrorKind::starttls_injection,
               "bytes arrived after the STARTTLS reply, before TLS (possible injection)");
        }
        return;
      }
      if (n == 0) {
        // Cannot happen: a full buffer always yields a line, a literal chunk or an error.
        return fail(ErrorKind::internal, "the response reader made no progress");
      }
    }
  }
};

ImapClient::ImapClient(ImapOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
ImapClient::~ImapClient() = default;

void ImapClient::on_bytes(std::string_view data) {
  impl_->on_bytes(data);
}

void ImapClient::on_eof() {
  Impl& m = *impl_;
  if (m.state == State::done || m.state == State::failed) return;
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
  if (impl_->state == State::failed) return {};
  return std::string_view(impl_->out).substr(impl_->out_pos);
}

// LOGIN (with its literals) and the AUTHENTICATE exchange are the only commands with a credential.
bool ImapClient::output_sensitive() const {
  return impl_->state == State::login || impl_->state == State::authenticate;
}

void ImapClient::consume(std::size_t n) {
  Impl& m = *impl_;
  m.out_pos += n;
  if (m.out_pos >= m.out.size()) {
    m.out.clear();
    m.out_pos = 0;
    for (auto& q : m.queued)  // everything went out
      q.start = 0;
  }
}

bool ImapClient::wants_tls() const {
  return impl_->state == State::tls_handshake;
}

void ImapClient::on_tls_ready() {
  Impl& m = *impl_;
  if (m.state != State::tls_handshake) return;
  m.tls_active = true;
  // Everything learnt in plaintext is forgotten: it may have been injected.
  m.reader.reset();
  m.caps = ImapCapabilities{};
  m.mailbox = ImapMailbox{};
  m.flags_by_uid.clear();
  m.seq_to_uid.clear();
  m.send_capability(State::capability);
}

std::optional<Event> ImapClient::next_event() {
  if (impl_->events.empty()) return std::nullopt;
  Event e = std::move(impl_->events.front());
  impl_->events.pop_front();
  return e;
}

bool ImapClient::done() const {
  return impl_->state == State::done && impl_->out.empty();
}
const Error& ImapClient::error() const {
  return impl_->error;
}
bool ImapClient::ready() const {
  return impl_->state == State::ready;
}

bool ImapClient::search_token(std::string_view token) {
  if (!ready() || token.empty() || token.size() > 256) return false;
  for (unsigned char c : token) {
    if (!std::isalnum(c)) return false;
  }
  impl_->search.clear();
  impl_->search_truncated = false;
  return impl_->begin(
      ImapTask::search, State::search,
      impl_->command().text("UID SEARCH HEADER ").text(kTokenHeader).text(" ").text(token));
}

bool ImapClient::noop_search(std::string_view token) {
  if (!ready() || token.empty() || token.size() > 256) return false;
  for (unsigned char c : token) {
    if (!std::isalnum(c)) return false;
  }
  Impl& m = *impl_;
  m.search.clear();
  m.search_truncated = false;
  if (!m.begin(ImapTask::search, State::noop_search, m.command().text("NOOP"))) return false;
  m.pipeline("UID SEARCH HEADER " + std::string(kTokenHeader) + " " + std::string(token));
  return true;
}

bool ImapClient::fetch_remove_logout(std::uint32_t uid) {
  if (!fetch_message(uid)) return false;
  Impl& m = *impl_;
  m.delete_outcome = ImapDeleteOutcome::none;
  m.pipeline("UID STORE " + std::to_string(uid) + " +FLAGS.SILENT (\\Deleted)",
             State::delete_store);
  if (m.caps.uidplus) m.pipeline("UID EXPUNGE " + std::to_string(uid));
  return queue_logout();
}

bool ImapClient::queue_logout() {
  Impl& m = *impl_;
  if (ready() || m.logout_queued() || m.state == State::logout) return false;
  if (m.state == State::failed || m.state == State::done || m.state == State::idle) return false;
  if (m.state < State::ready) return false;  // still setting up
  m.saw_bye = false;
  m.pipeline("LOGOUT", State::logout);
  return true;
}

bool ImapClient::fetch_message(std::uint32_t uid) {
  if (!ready() || uid == 0) return false;
  Impl& m = *impl_;
  m.fetched = ImapFetchedMessage{};
  m.fetched.uid = uid;
  m.target_uid = uid;
  m.scanned.reset();
  return m.begin(ImapTask::fetch_message, State::fetch,
                 m.command().text("UID FETCH " + std::to_string(uid) +
                                  " (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])"));
}

bool ImapClient::fetch_flags(std::uint32_t uid) {
  if (!ready() || uid == 0) return false;
  impl_->target_uid = uid;
  return impl_->begin(ImapTask::fetch_flags, State::fetch_flags,
                      impl_->command().text("UID FETCH " + std::to_string(uid) + " (FLAGS)"));
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
  Impl& m = *impl_;
  m.target_uid = uid;
  const std::string store =
      "UID STORE " + std::to_string(uid) + " +FLAGS (" + std::string(flags) + ")";
  if (!noop_first) return m.begin(ImapTask::store, State::store, m.command().text(store));
  if (!m.begin(ImapTask::store, State::noop, m.command().text("NOOP"))) return false;
  m.pipeline(store, State::store);
  return true;
}

bool ImapClient::noop() {
  if (!ready()) return false;
  return impl_->begin(ImapTask::noop, State::noop, impl_->command().text("NOOP"));
}

bool ImapClient::list_folders() {
  if (!ready()) return false;
  Impl& m = *impl_;
  m.folders = ImapFolderList{};
  m.listed = false;
  if (m.caps.special_use && m.caps.list_extended) {
    m.folders.special_use_requested = true;
    return m.begin(ImapTask::list, State::list,
                   m.command().text("LIST \"\" \"*\" RETURN (SPECIAL-USE)"));
  }
  if (m.caps.namespace_) {
    return m.begin(ImapTask::list, State::namespace_, m.command().text("NAMESPACE"));
  }
  return m.begin(ImapTask::list, State::list, m.command().text("LIST \"\" \"*\""));
}

bool ImapClient::delete_uid(std::uint32_t uid) {
  if (!ready() || uid == 0) return false;
  Impl& m = *impl_;
  m.target_uid = uid;
  m.delete_outcome = ImapDeleteOutcome::none;
  if (!m.begin(ImapTask::delete_uid, State::delete_store,
               m.command().text("UID STORE " + std::to_string(uid) + " +FLAGS.SILENT (\\Deleted)")))
    return false;
  // With UIDPLUS the EXPUNGE goes out in the same flight: UID EXPUNGE removes only messages of
  // that UID that have \Deleted, so if the STORE is refused it removes nothing (and never
  // another message). Without UIDPLUS no EXPUNGE is ever sent.
  if (m.caps.uidplus) m.pipeline("UID EXPUNGE " + std::to_string(uid));
  return true;
}

bool ImapClient::move_uid(std::uint32_t uid, std::string_view folder) {
  if (!ready() || uid == 0 || !impl_->caps.move || folder.empty()) return false;
  if (folder.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) return false;
  impl_->target_uid = uid;
  impl_->delete_outcome = ImapDeleteOutcome::none;
  Command c = impl_->command();
  c.text("UID MOVE " + std::to_string(uid) + " ").astring(folder);
  return impl_->begin(ImapTask::move, State::move, std::move(c));
}

bool ImapClient::idle() {
  if (!ready() || !impl_->caps.idle) return false;
  Impl& m = *impl_;
  m.idle_accepted = m.idle_done_requested = m.done_sent = false;
  m.idle_exists_start = m.mailbox.exists;
  return m.begin(ImapTask::idle, State::idle, m.command().text("IDLE"));
}

void ImapClient::idle_done() {
  Impl& m = *impl_;
  if (m.state != State::idle || m.done_sent) return;
  if (m.idle_accepted) {
    m.send_done();
  } else {
    m.idle_done_requested = true;
  }
}

bool ImapClient::idling() const {
  return impl_->state == State::idle && impl_->idle_accepted && !impl_->done_sent;
}

bool ImapClient::logout() {
  if (!ready()) return false;
  impl_->saw_bye = false;
  return impl_->begin(ImapTask::logout, State::logout, impl_->command().text("LOGOUT"));
}

const std::string& ImapClient::alert() const {
  return impl_->alert;
}
const ImapTaskStatus& ImapClient::last_task() const {
  return impl_->task;
}
const std::vector<std::uint32_t>& ImapClient::search_result() const {
  return impl_->search;
}
const ImapTaskStatus& ImapClient::fetch_status() const {
  return impl_->fetch_task;
}
const ImapFetchedMessage& ImapClient::fetched_message() const {
  return impl_->fetched;
}
std::optional<std::vector<std::string>> ImapClient::flags_of(std::uint32_t uid) const {
  auto it = impl_->flags_by_uid.find(uid);
  if (it == impl_->flags_by_uid.end()) return std::nullopt;
  return it->second;
}
bool ImapClient::listed() const {
  return impl_->listed;
}
const ImapFolderList& ImapClient::folders() const {
  return impl_->folders;
}
ImapDeleteOutcome ImapClient::delete_outcome() const {
  return impl_->delete_outcome;
}
const ImapCapabilities& ImapClient::capabilities() const {
  return impl_->caps;
}
const ImapMailbox& ImapClient::mailbox() const {
  return impl_->mailbox;
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
