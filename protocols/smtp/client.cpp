// SPDX-License-Identifier: Apache-2.0
#include "protocols/smtp/client.hpp"

#include <algorithm>
#include <utility>

#include "protocols/common/ascii.hpp"
#include "protocols/common/digits.hpp"
#include "protocols/common/idna.hpp"
#include "protocols/common/wipe.hpp"

namespace mv {

namespace {

std::size_t ifind(std::string_view hay, std::string_view needle) {
  const std::string h = ascii_upper(hay);
  return h.find(ascii_upper(needle));
}

// Splits on spaces, dropping empty tokens.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ')
      ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ')
      ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// A value we put on a command line must not end the line early: that would be command injection.
bool line_safe(std::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Postfix "queued as 4ABC123", Exim "id=1abcDE-000123-XY", Microsoft "<id@host>".
std::string extract_queue_id(std::string_view text) {
  auto token_at = [&](std::size_t pos) {
    std::size_t end = pos;
    while (end < text.size() && text[end] != ' ')
      ++end;
    return std::string(text.substr(pos, end - pos));
  };
  if (const std::size_t p = ifind(text, "queued as "); p != std::string::npos) {
    return token_at(p + 10);
  }
  if (const std::size_t open = text.find('<'); open != std::string_view::npos) {
    const std::size_t close = text.find('>', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      return std::string(text.substr(open + 1, close - open - 1));
    }
  }
  if (const std::size_t p = ifind(text, "id="); p != std::string::npos) return token_at(p + 3);
  return {};
}

}  // namespace

SmtpClient::SmtpClient(SmtpOptions options)
    : options_(std::move(options)), parser_(options_.limits) {
  tls_active_ = options_.tls == TlsMode::implicit;
  if (options_.limits.output_chunk == 0) options_.limits.output_chunk = 1;
  if (options_.ehlo_name.empty() || !line_safe(options_.ehlo_name) ||
      !line_safe(options_.mail_from) || !line_safe(options_.rcpt_to)) {
    fail(ErrorKind::bad_argument,
         "the EHLO name, sender and recipient must be non-empty single-line values");
  }
}

std::string_view SmtpClient::state_name(State s) {
  static constexpr std::string_view kNames[] = {
      "greeting", "ehlo", "helo", "starttls", "tls_handshake", "auth", "mail",
      "rcpt",     "data", "body", "data_end", "quit",          "done", "failed"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(State::failed) + 1);
  return kNames[static_cast<std::size_t>(s)];
}

std::string_view SmtpClient::step_of(State s) {
  switch (s) {
    case State::greeting:
      return "smtp.greeting";
    case State::ehlo:
    case State::helo:
      return "smtp.ehlo";
    case State::starttls:
    case State::tls_handshake:
      return "smtp.starttls";
    case State::auth:
      return "smtp.auth";
    case State::mail:
    case State::rcpt:
      return "smtp.mail";
    case State::data:
    case State::body:
    case State::data_end:
      return "smtp.data";
    case State::quit:
    case State::done:
      return "smtp.quit";
    case State::failed:
      return "smtp.failed";
  }
  return "smtp";
}

void SmtpClient::set_state(State s) {
  state_changed(state_name(state_), state_name(s));
  state_ = s;
}

// ---- output bookkeeping -----------------------------------------------------------------------

void SmtpClient::wait_reply() {
  ++turns_;
}

std::string_view SmtpClient::output() {
  if (channel_.failed()) return {};
  if (state_ == State::body && channel_.all_sent()) refill_body();
  return channel_.pending();
}

bool SmtpClient::output_sensitive() const {
  return channel_.sensitive();
}

void SmtpClient::consume(std::size_t n) {
  channel_.consume(n);
}

void SmtpClient::emit(std::string_view step, std::string detail) {
  events_.push_back(Event{std::string(step), std::move(detail)});
}

std::optional<Event> SmtpClient::next_event() {
  if (next_event_ == events_.size()) {
    events_.clear();
    next_event_ = 0;
    return std::nullopt;
  }
  return std::move(events_[next_event_++]);
}

Error SmtpClient::smtp_error(ErrorKind kind, std::string detail, const SmtpReply* reply) const {
  ServerSignal signal;
  if (reply != nullptr) {
    signal.reply_code = reply->code;
    if (reply->enhanced)
      signal.status = parse_enhanced_status(*reply->enhanced).value_or(EnhancedStatus{});
  }
  return make_error(kind, Protocol::smtp, std::move(detail),
                    reply != nullptr ? std::string_view(reply->summary()) : std::string_view{},
                    std::move(signal));
}

void SmtpClient::fail(Error e) {
  if (e.step.empty()) e.step = std::string(step_of(state_));
  if (channel_.fail(std::move(e))) set_state(State::failed);
}

void SmtpClient::fail(ErrorKind kind, std::string detail, const SmtpReply* reply) {
  fail(smtp_error(kind, std::move(detail), reply));
}

// ---- input ------------------------------------------------------------------------------------

void SmtpClient::on_bytes(std::string_view data) {
  if (channel_.failed() || state_ == State::done || data.empty()) return;
  if (state_ == State::tls_handshake) {
    // Whether the extra bytes came in the 220's segment or a later one, it is the same attack.
    fail(ErrorKind::starttls_injection, *CommandChannel::tls_boundary_breach("STARTTLS", 0, data));
    return;
  }
  for (;;) {
    const std::size_t took = parser_.feed(data);
    data.remove_prefix(took);
    SmtpReply reply;
    SmtpReplyParser::Status st;
    while ((st = parser_.next(reply)) == SmtpReplyParser::Status::reply) {
      handle_reply(reply);
      if (channel_.failed() || state_ == State::done) return;
      if (state_ == State::tls_handshake) {
        // RFC 3207 5 / CVE-2011-0411: whatever follows the 220 was sent in plaintext and would
        // be read as if it came over TLS.
        if (auto breach =
                CommandChannel::tls_boundary_breach("STARTTLS", parser_.buffered(), data)) {
          fail(ErrorKind::starttls_injection, std::move(*breach));
        }
        return;
      }
    }
    if (st == SmtpReplyParser::Status::error) {
      const Error& pe = parser_.error();
      Error e = smtp_error(pe.kind, pe.detail);
      e.server_says = pe.server_says;
      fail(std::move(e));
      return;
    }
    if (data.empty() || took == 0) return;
  }
}

void SmtpClient::on_eof() {
  if (channel_.failed() || state_ == State::done) return;
  if (state_ == State::quit) {
    // The server may hang up right after QUIT instead of answering; the work is done.
    set_state(State::done);
    emit("smtp.quit", "connection closed");
    return;
  }
  fail(ErrorKind::connection_closed,
       "the server closed the connection during " + std::string(step_of(state_)));
}

void SmtpClient::handle_reply(const SmtpReply& reply) {
  last_reply_ = reply;
  if (state_ != State::greeting) {
    if (const auto turn = channel_.take_reply(); turn != CommandChannel::Turn::ok) {
      fail(ErrorKind::unexpected_reply, std::string(CommandChannel::turn_problem(turn)), &reply);
      return;
    }
  }
  switch (state_) {
    case State::greeting:
      return handle_greeting(reply);
    case State::ehlo:
      return handle_ehlo(reply);
    case State::helo:
      return handle_helo(reply);
    case State::starttls:
      return handle_starttls(reply);
    case State::auth:
      return handle_auth(reply);
    case State::mail:
      return handle_mail(reply);
    case State::rcpt:
      return handle_rcpt(reply);
    case State::data:
      return handle_data(reply);
    case State::data_end:
      return handle_data_end(reply);
    case State::quit:
      return handle_quit(reply);
    case State::tls_handshake:
    case State::body:
    case State::done:
    case State::failed:
      break;
  }
  // No reply is owed in these states, so the check above already failed.
  fail(ErrorKind::unexpected_reply, "the server sent a reply out of turn", &reply);
}

// ---- greeting, EHLO, HELO ---------------------------------------------------------------------

void SmtpClient::handle_greeting(const SmtpReply& reply) {
  if (reply.code != 220) {
    // 554 is RFC 5321's "no SMTP service here": a policy refusal (blocklist, wrong port, ...).
    Error e = smtp_error(
        ErrorKind::greeting_refused,
        "the server refused the session at the greeting (" + std::to_string(reply.code) + ")",
        &reply);
    if (reply.code == 554) e.category = Category::policy;
    fail(std::move(e));
    return;
  }
  emit("smtp.greeting", sanitize_server_text(reply.lines.front(), 200));
  send_ehlo();
}

void SmtpClient::send_ehlo() {
  channel_.command("EHLO " + options_.ehlo_name);
  wait_reply();
  set_state(State::ehlo);
}

void SmtpClient::send_helo() {
  channel_.command("HELO " + options_.ehlo_name);
  wait_reply();
  set_state(State::helo);
}

bool SmtpClient::parse_ehlo(const SmtpReply& reply) {
  SmtpCapabilities caps;
  caps.esmtp = true;
  std::size_t count = 0;
  auto add_auth = [&](std::string_view name) {
    ++count;
    const std::string up = ascii_upper(name);
    if (std::find(caps.auth_names.begin(), caps.auth_names.end(), up) == caps.auth_names.end()) {
      caps.auth_names.push_back(up);
    }
    if (auto m = mechanism_from_name(name);
        m && std::find(caps.auth.begin(), caps.auth.end(), *m) == caps.auth.end()) {
      caps.auth.push_back(*m);
    }
  };
  // The first line is the server's name and greeting; keywords follow, one per line.
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    const auto tokens = words(reply.lines[i]);
    if (tokens.empty()) continue;
    ++count;
    const std::string key = ascii_upper(tokens[0]);
    if (key == "STARTTLS") {
      caps.starttls = true;
    } else if (key == "PIPELINING") {
      caps.pipelining = true;
    } else if (key == "8BITMIME") {
      caps.eightbitmime = true;
    } else if (key == "SMTPUTF8") {
      caps.smtputf8 = true;
    } else if (key == "ENHANCEDSTATUSCODES") {
      caps.enhanced_status_codes = true;
    } else if (key == "SIZE") {
      // RFC 1870: no number (or one we cannot read) means no fixed limit is announced.
      caps.size_limit =
          tokens.size() > 1 ? parse_digits<std::size_t>(tokens[1]).value_or(0) : std::size_t{0};
    } else if (key == "AUTH") {
      for (std::size_t t = 1; t < tokens.size(); ++t)
        add_auth(tokens[t]);
    } else if (key.starts_with("AUTH=")) {
      // The pre-RFC 4954 syntax some old clients needed; same meaning.
      if (key.size() > 5) add_auth(tokens[0].substr(5));
      for (std::size_t t = 1; t < tokens.size(); ++t)
        add_auth(tokens[t]);
    }
    if (count > options_.limits.max_capabilities) {
      fail(ErrorKind::too_many_capabilities, "the EHLO reply lists more than " +
                                                 std::to_string(options_.limits.max_capabilities) +
                                                 " capabilities");
      return false;
    }
  }
  caps_ = std::move(caps);
  return true;
}

void SmtpClient::handle_ehlo(const SmtpReply& reply) {
  if (reply.code == 250) {
    if (!parse_ehlo(reply)) return;
    std::string facts = "ESMTP";
    if (caps_.starttls) facts += " STARTTLS";
    if (caps_.pipelining) facts += " PIPELINING";
    if (caps_.size_limit) facts += " SIZE " + std::to_string(*caps_.size_limit);
    if (caps_.eightbitmime) facts += " 8BITMIME";
    if (caps_.smtputf8) facts += " SMTPUTF8";
    if (caps_.enhanced_status_codes) facts += " ENHANCEDSTATUSCODES";
    if (!caps_.auth_names.empty()) {
      facts += " AUTH";
      for (const auto& n : caps_.auth_names)
        facts += " " + n;
    }
    emit("smtp.ehlo", sanitize_server_text(facts));
    after_hello();
    return;
  }
  // HELO gives up every extension, STARTTLS and AUTH included: only with the user's consent.
  if (reply.klass() == 5 && options_.allow_plaintext) {
    send_helo();
    return;
  }
  fail(ErrorKind::ehlo_refused, "the server refused EHLO (" + std::to_string(reply.code) + ")",
       &reply);
}

void SmtpClient::handle_helo(const SmtpReply& reply) {
  if (reply.code != 250) {
    fail(ErrorKind::helo_refused,
         "the server refused EHLO and HELO (" + std::to_string(reply.code) + ")", &reply);
    return;
  }
  caps_ = SmtpCapabilities{};
  emit("smtp.ehlo", "HELO accepted; no ESMTP extensions");
  after_hello();
}

void SmtpClient::after_hello() {
  if (options_.tls == TlsMode::starttls && !tls_active_) {
    send_starttls();
    return;
  }
  if (options_.credentials) {
    send_auth();
  } else if (options_.message != nullptr) {
    send_mail();
  } else {
    send_quit();
  }
}

// ---- STARTTLS ---------------------------------------------------------------------------------

void SmtpClient::send_starttls() {
  set_state(State::starttls);
  if (!caps_.starttls) {
    fail(ErrorKind::starttls_unavailable,
         "the server did not offer STARTTLS; refusing to continue in plaintext");
    return;
  }
  channel_.command("STARTTLS");
  wait_reply();
}

void SmtpClient::handle_starttls(const SmtpReply& reply) {
  if (reply.code != 220) {
    fail(ErrorKind::starttls_refused,
         "the server refused STARTTLS (" + std::to_string(reply.code) + ")", &reply);
    return;
  }
  // on_bytes() checks that nothing follows the 220; the pump now runs the handshake.
  set_state(State::tls_handshake);
}

bool SmtpClient::wants_tls() const {
  return state_ == State::tls_handshake;
}

void SmtpClient::on_tls_ready() {
  if (channel_.failed()) return;
  if (state_ != State::tls_handshake) {
    fail(ErrorKind::unexpected_tls, "on_tls_ready() without a STARTTLS in progress");
    return;
  }
  tls_active_ = true;
  // RFC 3207 4.2: nothing learnt in plaintext may be trusted; ask again.
  parser_.clear();
  caps_ = SmtpCapabilities{};
  emit("smtp.starttls", "TLS established; capabilities asked again");
  send_ehlo();
}

// ---- AUTH -------------------------------------------------------------------------------------

void SmtpClient::send_auth() {
  set_state(State::auth);
  if (!tls_active_ && !options_.allow_plaintext) {
    fail(ErrorKind::plaintext_auth_refused,
         "refusing to send credentials without TLS (plaintext was not allowed)");
    return;
  }
  if (caps_.auth_names.empty()) {
    std::string detail = "the server did not offer AUTH";
    if (tls_active_) detail += " over TLS";
    if (!caps_.esmtp) detail += " (it does not speak ESMTP)";
    fail(ErrorKind::auth_unavailable, std::move(detail));
    return;
  }
  std::string offered;
  for (const auto& n : caps_.auth_names)
    offered += (offered.empty() ? "" : " ") + n;
  const MechanismPick pick = pick_mechanism(options_.mechanism, caps_.auth, true,
                                            options_.credentials->is_token, tls_active_);
  if (pick.wanted_not_offered) {
    fail(ErrorKind::mechanism_unavailable,
         "the server does not offer AUTH " + std::string(mechanism_name(*options_.mechanism)) +
             " (it offers " + sanitize_server_text(offered) + ")");
    return;
  }
  if (!pick.mechanism) {
    fail(ErrorKind::mechanism_unavailable,
         std::string("no offered AUTH mechanism fits ") +
             (options_.credentials->is_token ? "a token" : "a password") + " (it offers " +
             sanitize_server_text(offered) + ")");
    return;
  }
  sasl_.emplace(*pick.mechanism, *options_.credentials, options_.limits);
  std::string line = "AUTH " + std::string(sasl_->name());
  // RFC 4954 4: the initial response always goes on the command line.
  if (auto ir = sasl_->initial_argument(std::string::npos)) {
    line += ' ';
    line += *ir;
    wipe(*ir);
  }
  channel_.secret_command(line);
  wait_reply();
}

void SmtpClient::handle_auth(const SmtpReply& reply) {
  const std::string mech(sasl_->name());
  if (reply.code == 334) {
    std::optional<std::string> line = sasl_->answer(reply.lines.front());
    if (!line) {
      fail(ErrorKind::bad_challenge, *sasl_->cancelled_detail(false), &reply);
      return;
    }
    channel_.secret_command(*line);
    wait_reply();
    return;
  }
  if (auto cancelled = sasl_->cancelled_detail(reply.code == 235)) {
    fail(ErrorKind::bad_challenge, std::move(*cancelled), &reply);
    return;
  }
  if (reply.code == 235) {
    emit("smtp.auth", "mechanism " + mech);
    sasl_.reset();
    if (options_.message != nullptr) {
      send_mail();
    } else {
      send_quit();
    }
    return;
  }
  // Keep the enhanced code in the detail too: the diagnosis tells 5.7.139 (basic auth disabled)
  // from 5.7.8 (bad credentials) and 5.7.57/5.7.30 by it.
  std::string detail = "the server refused AUTH " + mech + " (" + std::to_string(reply.code);
  if (reply.enhanced) detail += " " + *reply.enhanced;
  detail += ")";
  if (!sasl_->server_error().empty()) {
    detail += "; its error status: " + sanitize_server_text(sasl_->server_error(), 256);
  }
  fail(ErrorKind::auth_failed, std::move(detail), &reply);
}

// ---- MAIL, RCPT, DATA -------------------------------------------------------------------------

void SmtpClient::send_mail() {
  set_state(State::mail);
  const std::size_t size = options_.message->size();
  if (caps_.size_limit && *caps_.size_limit > 0 && size > *caps_.size_limit) {
    fail(ErrorKind::message_too_large, "the message (" + std::to_string(size) +
                                           " bytes) exceeds the server's SIZE limit of " +
                                           std::to_string(*caps_.size_limit) + " bytes");
    return;
  }
  // RFC 6531: a non-ASCII address (in practice its local part: the tool sends domains as
  // A-labels) may only be used with SMTPUTF8, and the headers then carry UTF-8 too (RFC 6532).
  const bool utf8 = has_non_ascii(options_.mail_from) || has_non_ascii(options_.rcpt_to);
  if (utf8 && !caps_.smtputf8) {
    fail(ErrorKind::smtputf8_unsupported,
         "the address " +
             sanitize_server_text(
                 has_non_ascii(options_.mail_from) ? options_.mail_from : options_.rcpt_to, 256) +
             " is not ASCII, which needs the SMTPUTF8 extension (RFC 6531), and this server does "
             "not offer it: it cannot send from or to this address");
    return;
  }
  std::string line = "MAIL FROM:<" + options_.mail_from + ">";
  if (caps_.size_limit) line += " SIZE=" + std::to_string(size);
  if (utf8) line += caps_.eightbitmime ? " SMTPUTF8 BODY=8BITMIME" : " SMTPUTF8";
  channel_.command(line);
  pipelined_ = caps_.pipelining;
  if (pipelined_) {
    // RFC 2920: MAIL, RCPT and DATA in one flush; their replies come back in order.
    channel_.command("RCPT TO:<" + options_.rcpt_to + ">");
    channel_.command("DATA");
  }
  wait_reply();
}

void SmtpClient::handle_mail(const SmtpReply& reply) {
  if (reply.klass() != 2) {
    fail(ErrorKind::mail_rejected,
         "the server refused the sender (" + std::to_string(reply.code) + ")", &reply);
    return;
  }
  if (pipelined_) {
    set_state(State::rcpt);
  } else {
    send_rcpt();
  }
}

void SmtpClient::send_rcpt() {
  channel_.command("RCPT TO:<" + options_.rcpt_to + ">");
  wait_reply();
  set_state(State::rcpt);
}

void SmtpClient::handle_rcpt(const SmtpReply& reply) {
  if (reply.klass() != 2) {
    fail(ErrorKind::rcpt_rejected,
         "the server refused the recipient (" + std::to_string(reply.code) + ")", &reply);
    return;
  }
  emit("smtp.mail",
       pipelined_ ? "sender and recipient accepted (pipelined)" : "sender and recipient accepted");
  if (pipelined_) {
    set_state(State::data);
  } else {
    send_data();
  }
}

void SmtpClient::send_data() {
  channel_.command("DATA");
  wait_reply();
  set_state(State::data);
}

void SmtpClient::handle_data(const SmtpReply& reply) {
  if (reply.code == 354) {
    options_.message->rewind();
    stuffer_.reset();
    body_buf_.resize(options_.limits.output_chunk);
    set_state(State::body);
    return;
  }
  if (reply.klass() == 4 || reply.klass() == 5) {
    fail(ErrorKind::data_rejected, "the server refused DATA (" + std::to_string(reply.code) + ")",
         &reply);
    return;
  }
  fail(ErrorKind::unexpected_reply,
       "DATA was answered with " + std::to_string(reply.code) + " instead of 354", &reply);
}

void SmtpClient::refill_body() {
  // Called only with the output empty: one chunk of text (at most doubled by stuffing) at a time.
  const std::size_t n =
      std::min(options_.message->read(body_buf_.data(), body_buf_.size()), body_buf_.size());
  if (n == 0) {
    channel_.write_with([&](std::string& out) { stuffer_.finish(out); });
    channel_.expect_reply();
    // RFC 2920 3.1: message content may start a group and QUIT may end it, so with PIPELINING the
    // QUIT rides with the final dot and saves a round trip.
    if (caps_.pipelining) {
      channel_.command("QUIT");
      quit_pipelined_ = true;
    }
    wait_reply();
    set_state(State::data_end);
    return;
  }
  channel_.write_with(
      [&](std::string& out) { stuffer_.encode(std::string_view(body_buf_.data(), n), out); });
}

void SmtpClient::handle_data_end(const SmtpReply& reply) {
  if (reply.klass() != 2) {
    fail(ErrorKind::data_rejected,
         "the server refused the message after its data (" + std::to_string(reply.code) + ")",
         &reply);
    return;
  }
  accept_reply_ = sanitize_server_text(reply.summary());
  queue_id_ = sanitize_server_text(extract_queue_id(reply.text()), 128);
  emit("smtp.data", queue_id_.empty() ? "accepted" : "accepted, queued as " + queue_id_);
  if (quit_pipelined_) {
    set_state(State::quit);
  } else {
    send_quit();
  }
}

// ---- QUIT -------------------------------------------------------------------------------------

void SmtpClient::send_quit() {
  channel_.command("QUIT");
  wait_reply();
  set_state(State::quit);
}

void SmtpClient::handle_quit(const SmtpReply& reply) {
  // The session's work is complete whatever QUIT gets; only report it.
  set_state(State::done);
  emit("smtp.quit", std::to_string(reply.code));
}

// ---- accessors --------------------------------------------------------------------------------

bool SmtpClient::done() const {
  return state_ == State::done;
}
const Error& SmtpClient::error() const {
  return channel_.error();
}
const SmtpCapabilities& SmtpClient::capabilities() const {
  return caps_;
}
bool SmtpClient::tls_active() const {
  return tls_active_;
}
const std::string& SmtpClient::queue_id() const {
  return queue_id_;
}
const std::string& SmtpClient::accept_reply() const {
  return accept_reply_;
}
std::size_t SmtpClient::turns() const {
  return turns_;
}

}  // namespace mv
