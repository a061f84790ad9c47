// SPDX-License-Identifier: Apache-2.0
#include "protocols/pop3/client.hpp"

#include <algorithm>
#include <utility>

#include "protocols/common/wipe.hpp"

namespace mv {
namespace {

// RFC 5034 4: an AUTH command line, CRLF included, must fit 255 octets; a longer initial response
// goes in answer to the server's empty challenge instead.
constexpr std::size_t kMaxAuthLine = 255;

bool has_line_break_or_nul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

}  // namespace

Pop3Client::Pop3Client(Pop3Options options)
    : options_(std::move(options)), reader_(options_.limits) {
  tls_active_ = options_.tls == TlsMode::implicit;
}

// ---- Conversation ----------------------------------------------------------------------------

void Pop3Client::on_bytes(std::string_view data) {
  if (channel_.failed() || state_ == State::done) return;
  if (state_ == State::tls_handshake) {
    if (auto breach = CommandChannel::tls_boundary_breach("STLS", 0, data)) {
      fail(ErrorKind::starttls_injection, std::move(*breach));
    }
    return;
  }
  while (!channel_.failed()) {
    const std::size_t n = reader_.feed(data);
    data.remove_prefix(n);
    drain();
    if (channel_.failed() || state_ == State::done) return;
    if (state_ == State::tls_handshake) {
      if (auto breach = CommandChannel::tls_boundary_breach("STLS", reader_.buffered(), data)) {
        fail(ErrorKind::starttls_injection, std::move(*breach));
      }
      return;
    }
    if (data.empty()) return;
  }
}

void Pop3Client::on_eof() {
  if (channel_.failed() || state_ == State::done) return;
  if (reader_.on_eof()) {
    fail_with(reader_.error());
    return;
  }
  fail(ErrorKind::connection_closed, "the server closed the connection before the session ended");
}

std::string_view Pop3Client::output() {
  return channel_.pending();
}

// PASS and the SASL exchange are the only commands that carry a credential.
bool Pop3Client::output_sensitive() const {
  return channel_.sensitive();
}

void Pop3Client::consume(std::size_t n) {
  channel_.consume(n);
}

bool Pop3Client::wants_tls() const {
  return !channel_.failed() && state_ == State::tls_handshake;
}

void Pop3Client::on_tls_ready() {
  if (channel_.failed() || state_ != State::tls_handshake) return;
  // Everything learnt before TLS could have been forged: drop it and ask again.
  reader_.clear();
  tls_active_ = true;
  emit("pop3.stls", "TLS active after STLS; asking CAPA again");
  send_capa();
}

std::optional<Event> Pop3Client::next_event() {
  if (events_.empty()) return std::nullopt;
  Event e = std::move(events_.front());
  events_.pop_front();
  return e;
}

bool Pop3Client::done() const {
  return !channel_.failed() && state_ == State::done && channel_.all_sent();
}

const Error& Pop3Client::error() const {
  return channel_.error();
}

bool Pop3Client::ready() const {
  return ready_ && !channel_.failed() && !quit_requested_ && state_ != State::done;
}

bool Pop3Client::idle() const {
  return ready() && state_ == State::idle && tasks_.empty();
}

// ---- state machinery -------------------------------------------------------------------------

void Pop3Client::set_state(State s) {
  state_changed(state_name(state_), state_name(s));
  state_ = s;
}

std::string_view Pop3Client::state_name(State s) {
  static constexpr std::string_view kNames[] = {
      "greeting", "capa", "stls", "tls_handshake", "auth", "user", "pass", "stat", "idle",
      "uidl",     "list", "top",  "retr",          "dele", "rset", "quit", "done", "failed"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(State::failed) + 1);
  return kNames[static_cast<std::size_t>(s)];
}

std::string_view Pop3Client::step_of(State s) {
  switch (s) {
    case State::greeting:
      return "pop3.greeting";
    case State::capa:
      return "pop3.capa";
    case State::stls:
    case State::tls_handshake:
      return "pop3.stls";
    case State::auth:
    case State::user:
    case State::pass:
      return "pop3.auth";
    case State::stat:
      return "pop3.stat";
    case State::idle:
      return "pop3.idle";
    case State::uidl:
    case State::list:
      return "pop3.uidl";
    case State::top:
      return "pop3.top";
    case State::retr:
      return "pop3.retr";
    case State::dele:
      return "pop3.dele";
    case State::rset:
      return "pop3.rset";
    case State::quit:
      return "pop3.quit";
    case State::done:
      return "pop3.done";
    case State::failed:
      return "pop3.failed";
  }
  return "pop3";
}

bool Pop3Client::awaiting_reply() const {
  switch (state_) {
    case State::idle:
    case State::tls_handshake:
    case State::done:
    case State::failed:
      return false;
    default:
      return true;
  }
}

void Pop3Client::drain() {
  while (!channel_.failed()) {
    if (!awaiting_reply()) {
      if (state_ == State::idle && reader_.buffered() > 0) {
        fail(ErrorKind::unexpected_data, "the server sent data while no reply was awaited");
      }
      return;
    }
    const Result r = reader_.next();
    if (r == Result::need_more) return;
    if (r == Result::error) {
      fail_with(reader_.error());
      return;
    }
    if ((r == Result::status || r == Result::continuation) && state_ != State::greeting) {
      if (const auto turn = channel_.take_reply(); turn != CommandChannel::Turn::ok) {
        fail(ErrorKind::unexpected_reply, std::string(CommandChannel::turn_problem(turn)));
        return;
      }
    }
    if (r == Result::status) last_status_ = reader_.status();
    if (r == Result::continuation && state_ != State::auth) {
      fail(ErrorKind::bad_status, "the server sent a continuation (+) outside an AUTH exchange",
           std::string("+ ") + std::string(reader_.continuation()));
      return;
    }
    handle(r);
  }
}

void Pop3Client::handle(Result r) {
  switch (state_) {
    case State::greeting:
      return handle_greeting(r);
    case State::capa:
      return handle_capa(r);
    case State::stls:
      return handle_stls(r);
    case State::auth:
      return handle_auth(r);
    case State::user:
      return handle_user(r);
    case State::pass:
      return handle_pass(r);
    case State::stat:
      return handle_stat(r);
    case State::uidl:
      return handle_uidl(r);
    case State::list:
      return handle_list(r);
    case State::top:
      return handle_top(r);
    case State::retr:
      return handle_retr(r);
    case State::dele:
      return handle_dele(r);
    case State::rset:
      return handle_rset(r);
    case State::quit:
      return handle_quit(r);
    case State::idle:
    case State::tls_handshake:
    case State::done:
    case State::failed:
      return;
  }
}

// ---- greeting, CAPA, STLS --------------------------------------------------------------------

void Pop3Client::handle_greeting(Result) {
  if (!last_status_.ok) {
    fail(ErrorKind::greeting_refused, "the server refused the session", last_status_.words());
    return;
  }
  apop_timestamp_ = mv::apop_timestamp(last_status_.text);
  emit("pop3.greeting", sanitize_server_text(last_status_.text, 200));
  if (!tls_active_ && options_.tls == TlsMode::none && !options_.allow_plaintext) {
    fail(ErrorKind::plaintext_auth_refused,
         "refusing to log in without TLS; nothing was sent (allow plaintext to override)");
    return;
  }
  send_capa();
}

void Pop3Client::send_capa() {
  caps_ = Pop3Capabilities{};
  queue_command("CAPA");
  set_state(State::capa);
}

void Pop3Client::handle_capa(Result r) {
  switch (r) {
    case Result::status:
      if (last_status_.ok) {
        caps_.known = true;
        reader_.expect_list();
      } else {
        after_capa();  // RFC 1939-only server: no capabilities
      }
      return;
    case Result::list_item:
      if (Error e; !add_capability_line(reader_.item(), caps_, options_.limits, e)) fail_with(e);
      return;
    case Result::list_end:
      after_capa();
      return;
    default:
      return;
  }
}

void Pop3Client::after_capa() {
  if (!tls_active_ && options_.tls == TlsMode::starttls) {
    if (!caps_.stls) {
      fail(ErrorKind::starttls_unavailable,
           caps_.known ? "the server does not offer STLS in CAPA"
                       : "the server does not answer CAPA, so it offers no STLS");
      return;
    }
    send_stls();
    return;
  }
  start_auth();
}

void Pop3Client::send_stls() {
  queue_command("STLS");
  set_state(State::stls);
}

void Pop3Client::handle_stls(Result) {
  if (!last_status_.ok) {
    fail(ErrorKind::starttls_refused, "the server refused STLS", last_status_.words());
    return;
  }
  set_state(State::tls_handshake);  // on_bytes checks that nothing follows the +OK
}

// ---- authentication --------------------------------------------------------------------------

void Pop3Client::start_auth() {
  if (!tls_active_ && !options_.allow_plaintext) {
    fail(ErrorKind::plaintext_auth_refused,
         "refusing to send credentials without TLS (allow plaintext to override)");
    return;
  }
  const Credentials& cred = options_.credentials;
  const MechanismPick pick =
      pick_mechanism(options_.mechanism, caps_.sasl, caps_.sasl_listed, cred.is_token, tls_active_);
  if (pick.wanted_not_offered) {
    fail(ErrorKind::mechanism_unavailable, std::string("the server does not offer SASL ") +
                                               std::string(mechanism_name(*options_.mechanism)));
    return;
  }
  if (pick.mechanism) {
    sasl_.emplace(*pick.mechanism, cred, options_.limits);
    send_auth();
    return;
  }
  if (cred.is_token) {
    fail(ErrorKind::no_mechanism,
         "an OAuth2 token needs SASL XOAUTH2 or OAUTHBEARER, which the server does not offer");
    return;
  }
  if (has_line_break_or_nul(cred.user) || has_line_break_or_nul(cred.secret)) {
    fail(ErrorKind::bad_credentials,
         "the user name or password holds a line break or NUL, which USER/PASS cannot carry");
    return;
  }
  send_user();
}

void Pop3Client::send_auth() {
  mechanism_used_ = sasl_->mechanism();
  std::string line = "AUTH " + std::string(sasl_->name());
  // RFC 5034 4: the line, CRLF included, must fit 255 octets; a longer initial response answers
  // the server's empty challenge instead.
  if (auto ir = sasl_->initial_argument(kMaxAuthLine - line.size() - 3)) {
    line += " " + *ir;
    wipe(*ir);
  }
  queue_secret(line);
  set_state(State::auth);
}

void Pop3Client::handle_auth(Result r) {
  if (r == Result::continuation) {
    std::optional<std::string> line = sasl_->answer(reader_.continuation());
    if (!line) {
      fail(ErrorKind::bad_challenge, *sasl_->cancelled_detail(false),
           std::string("+ ") + std::string(reader_.continuation()));
      return;
    }
    queue_secret(*line);
    return;
  }
  if (auto cancelled = sasl_->cancelled_detail(last_status_.ok)) {
    fail(ErrorKind::bad_challenge, std::move(*cancelled), last_status_.words());
    return;
  }
  if (last_status_.ok) {
    auth_accepted();
    return;
  }
  fail_auth();
}

void Pop3Client::send_user() {
  mechanism_used_.reset();
  queue_command("USER " + options_.credentials.user);
  set_state(State::user);
}

void Pop3Client::handle_user(Result) {
  if (!last_status_.ok) {
    fail_auth();
    return;
  }
  send_pass();
}

void Pop3Client::send_pass() {
  std::string line = "PASS " + options_.credentials.secret;
  queue_secret(line);
  set_state(State::pass);
}

void Pop3Client::handle_pass(Result) {
  if (!last_status_.ok) {
    fail_auth();
    return;
  }
  auth_accepted();
}

void Pop3Client::auth_accepted() {
  const std::string how = mechanism_used_ ? "AUTH " + std::string(mechanism_name(*mechanism_used_))
                                          : std::string("USER/PASS");
  emit("pop3.auth", how + " accepted" + (tls_active_ ? " over TLS" : " without TLS"));
  send_stat();
}

void Pop3Client::fail_auth() {
  std::string detail = "the server refused the login (";
  detail += mechanism_used_ ? "AUTH " + std::string(mechanism_name(*mechanism_used_))
                            : std::string("USER/PASS");
  detail += ")";
  if (!last_status_.code.empty()) detail += " with response code [" + last_status_.code + "]";
  std::string words = last_status_.words();
  if (sasl_ && !sasl_->server_error().empty()) words += " " + sasl_->server_error();
  fail(ErrorKind::auth_failed, std::move(detail), words);
}

// ---- STAT and the task queue -----------------------------------------------------------------

void Pop3Client::send_stat() {
  queue_command("STAT");
  set_state(State::stat);
}

void Pop3Client::handle_stat(Result) {
  if (!last_status_.ok) {
    fail(ErrorKind::stat_failed, "the server refused STAT", last_status_.words());
    return;
  }
  if (!parse_stat(last_status_.text, message_count_, maildrop_size_)) {
    fail(ErrorKind::bad_stat, "STAT did not answer \"+OK count size\"", last_status_.words());
    return;
  }
  ready_ = true;
  emit("pop3.stat",
       std::to_string(message_count_) + " messages, " + std::to_string(maildrop_size_) + " octets");
  set_state(State::idle);
  start_next_task();
}

void Pop3Client::enqueue(Task task) {
  if (channel_.failed() || state_ == State::done) return;
  if (quit_requested_) {
    fail(ErrorKind::bad_task, "a task was queued after quit()");
    return;
  }
  if (task.kind == TaskKind::quit) quit_requested_ = true;
  tasks_.push_back(std::move(task));
  if (state_ == State::idle) start_next_task();
}

void Pop3Client::uidl() {
  enqueue({TaskKind::uidl, {}, 0});
}
void Pop3Client::find_token(std::string token, std::uint32_t from_msg) {
  enqueue({TaskKind::find_token, std::move(token), from_msg});
}
void Pop3Client::retrieve(std::uint32_t n) {
  enqueue({TaskKind::retrieve, {}, n});
}
void Pop3Client::dele(std::uint32_t n) {
  enqueue({TaskKind::dele, {}, n});
}
void Pop3Client::rset() {
  enqueue({TaskKind::rset, {}, 0});
}
void Pop3Client::quit() {
  enqueue({TaskKind::quit, {}, 0});
}

bool Pop3Client::marked(std::uint32_t n) const {
  return std::find(marked_.begin(), marked_.end(), n) != marked_.end();
}

void Pop3Client::start_next_task() {
  if (channel_.failed() || state_ != State::idle || tasks_.empty()) return;
  task_ = std::move(tasks_.front());
  tasks_.pop_front();
  const bool numbered = task_.kind == TaskKind::retrieve || task_.kind == TaskKind::dele;
  if (numbered && (task_.number == 0 || task_.number > message_count_ || marked(task_.number))) {
    fail(ErrorKind::bad_task, "message " + std::to_string(task_.number) +
                                  " is not in the maildrop (" + std::to_string(message_count_) +
                                  " messages) or is marked deleted");
    return;
  }
  switch (task_.kind) {
    case TaskKind::uidl:
      return send_uidl();
    case TaskKind::find_token:
      found_.reset();
      scanned_ = 0;
      next_top_ = message_count_;
      if (task_.number == 0) {
        const std::size_t window = options_.limits.max_pop3_scanned;
        task_.number =
            message_count_ > window ? static_cast<std::uint32_t>(message_count_ - window + 1) : 1;
      }
      return send_top();
    case TaskKind::retrieve:
      return send_retr();
    case TaskKind::dele:
      return send_dele();
    case TaskKind::rset:
      return send_rset();
    case TaskKind::quit:
      return send_quit();
  }
}

void Pop3Client::task_done(std::string step, std::string detail) {
  emit(std::move(step), std::move(detail));
  set_state(State::idle);
  start_next_task();
}

// ---- UIDL / LIST -----------------------------------------------------------------------------

void Pop3Client::send_uidl() {
  listing_.clear();
  listing_uids_ = true;
  queue_command("UIDL");
  set_state(State::uidl);
}

void Pop3Client::handle_uidl(Result r) {
  switch (r) {
    case Result::status:
      if (last_status_.ok) {
        reader_.expect_list();
      } else {
        send_list();  // UIDL is optional (RFC 1939 7): LIST still numbers the messages
      }
      return;
    case Result::list_item:
      if (Error e; !add_uidl_line(reader_.item(), listing_, e, options_.limits.max_pop3_listing)) {
        fail_with(e);
      }
      return;
    case Result::list_end:
      task_done("pop3.uidl", std::to_string(listing_.size()) + " messages listed by UIDL");
      return;
    default:
      return;
  }
}

void Pop3Client::send_list() {
  listing_.clear();
  listing_uids_ = false;
  queue_command("LIST");
  set_state(State::list);
}

void Pop3Client::handle_list(Result r) {
  switch (r) {
    case Result::status:
      if (last_status_.ok) {
        reader_.expect_list();
      } else {
        fail(ErrorKind::list_failed, "the server refused both UIDL and LIST", last_status_.words());
      }
      return;
    case Result::list_item:
      if (Error e; !add_list_line(reader_.item(), listing_, e, options_.limits.max_pop3_listing)) {
        fail_with(e);
      }
      return;
    case Result::list_end:
      task_done("pop3.uidl",
                "UIDL refused; " + std::to_string(listing_.size()) + " messages listed by LIST");
      return;
    default:
      return;
  }
}

// ---- TOP (find_token) ------------------------------------------------------------------------

void Pop3Client::send_top() {
  const std::uint32_t from = task_.number;
  while (next_top_ >= from && next_top_ > 0 && marked(next_top_))
    --next_top_;
  if (next_top_ < from || next_top_ == 0) {
    std::string detail = "token not found";
    if (from <= message_count_) {
      detail += " in messages " + std::to_string(from) + ".." + std::to_string(message_count_);
    } else {
      detail += ": no messages from " + std::to_string(from) + " on";
    }
    detail += " (" + std::to_string(scanned_) + " headers read)";
    task_done("pop3.top", std::move(detail));
    return;
  }
  scanner_.emplace(MessageScanOptions{.wanted_token = task_.token,
                                      .digest_body = false,
                                      .max_field = options_.limits.max_scanned_field});
  queue_command("TOP " + std::to_string(next_top_) + " 0");
  set_state(State::top);
}

void Pop3Client::handle_top(Result r) {
  switch (r) {
    case Result::status:
      if (last_status_.ok) {
        reader_.expect_payload();
      } else {
        fail(ErrorKind::top_failed, "the server refused TOP " + std::to_string(next_top_) + " 0",
             last_status_.words());
      }
      return;
    case Result::payload:
      scanner_->update(reader_.payload());
      return;
    case Result::payload_end: {
      const ScannedMessage m = scanner_->finish();
      scanner_.reset();
      ++scanned_;
      if (m.token_matched) {
        found_ = next_top_;
        task_done("pop3.top", "token found in message " + std::to_string(next_top_) + " (" +
                                  std::to_string(scanned_) + " headers read)");
        return;
      }
      --next_top_;
      send_top();
      return;
    }
    default:
      return;
  }
}

// ---- RETR ------------------------------------------------------------------------------------

void Pop3Client::send_retr() {
  retrieved_ = Pop3Message{};
  scanner_.emplace(
      MessageScanOptions{.wanted_token = {}, .max_field = options_.limits.max_scanned_field});
  queue_command("RETR " + std::to_string(task_.number));
  set_state(State::retr);
}

void Pop3Client::handle_retr(Result r) {
  switch (r) {
    case Result::status:
      if (last_status_.ok) {
        reader_.expect_payload();
      } else {
        fail(ErrorKind::retr_failed, "the server refused RETR " + std::to_string(task_.number),
             last_status_.words());
      }
      return;
    case Result::payload:
      scanner_->update(reader_.payload());
      return;
    case Result::payload_end: {
      ScannedMessage m = scanner_->finish();
      scanner_.reset();
      retrieved_.number = task_.number;
      retrieved_.token = std::move(m.token);
      retrieved_.message_id = std::move(m.message_id);
      retrieved_.body_digest = std::move(m.body_digest);
      retrieved_.size = m.bytes;
      std::string detail = "message " + std::to_string(task_.number) + ", " +
                           std::to_string(m.bytes) + " octets, " +
                           (retrieved_.token ? "token header present" : "no token header");
      if (!retrieved_.message_id.empty()) {
        detail += ", Message-ID " + sanitize_server_text(retrieved_.message_id, 200);
      }
      task_done("pop3.retr", std::move(detail));
      return;
    }
    default:
      return;
  }
}

// ---- DELE, RSET, QUIT ------------------------------------------------------------------------

void Pop3Client::send_dele() {
  queue_command("DELE " + std::to_string(task_.number));
  set_state(State::dele);
}

void Pop3Client::handle_dele(Result) {
  if (!last_status_.ok) {
    fail(ErrorKind::dele_failed, "the server refused DELE " + std::to_string(task_.number),
         last_status_.words());
    return;
  }
  marked_.push_back(task_.number);
  task_done("pop3.dele",
            "message " + std::to_string(task_.number) + " marked for deletion (effective at QUIT)");
}

void Pop3Client::send_rset() {
  queue_command("RSET");
  set_state(State::rset);
}

void Pop3Client::handle_rset(Result) {
  if (!last_status_.ok) {
    fail(ErrorKind::rset_failed, "the server refused RSET", last_status_.words());
    return;
  }
  const std::size_t undone = marked_.size();
  marked_.clear();
  task_done("pop3.rset", std::to_string(undone) + " deletion marks undone");
}

void Pop3Client::send_quit() {
  queue_command("QUIT");
  set_state(State::quit);
}

void Pop3Client::handle_quit(Result) {
  if (!last_status_.ok) {
    fail(ErrorKind::quit_failed,
         "the server refused QUIT: marked messages may not have been deleted",
         last_status_.words());
    return;
  }
  emit("pop3.quit", "signed off; " + std::to_string(marked_.size()) + " deletions committed");
  set_state(State::done);
}

// ---- helpers ---------------------------------------------------------------------------------

void Pop3Client::queue_command(std::string_view line) {
  channel_.command(line);
  ++turns_;
}

void Pop3Client::queue_secret(std::string& line) {
  channel_.secret_command(line);
  ++turns_;
}

void Pop3Client::emit(std::string step, std::string detail) {
  events_.push_back(Event{std::move(step), std::move(detail)});
}

void Pop3Client::fail(ErrorKind kind, std::string detail, std::string_view server_says) {
  // The server's words are a status line ("-ERR [SYS/TEMP] text"): its RFC 2449 code travels on.
  ServerSignal signal;
  if (server_says.starts_with("-ERR ")) signal.response_code = bracket_code(server_says.substr(5));
  fail_with(make_error(kind, Protocol::pop3, std::move(detail), server_says, std::move(signal)));
}

void Pop3Client::fail_with(Error e) {
  if (e.step.empty()) e.step = std::string(step_of(state_));
  // Nothing more is sent: above all no QUIT, so the server forgets every DELE mark.
  if (!channel_.fail(std::move(e))) return;
  tasks_.clear();
  set_state(State::failed);
}

}  // namespace mv
