// SPDX-License-Identifier: Apache-2.0
// A sans-I/O SMTP submission client (RFC 5321, 3207 STARTTLS, 4954 AUTH, 2920 PIPELINING):
// greeting, EHLO, STARTTLS (any byte received after the 220 is an injection: abort), EHLO again
// after TLS with all earlier knowledge dropped, AUTH, MAIL/RCPT/DATA (pipelined when offered),
// the message streamed with dot-stuffing, QUIT. Credentials are never sent before TLS unless
// allow_plaintext is set. Implements the Conversation contract the engine's pump drives.
// Strict about turns: a reply that arrives before the command it answers was consumed (written by
// the pump), or while nothing is awaited (during the message body, after STARTTLS), is an error.
// Output stays bounded while the message streams: at most about two output_chunk's worth.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "protocols/common/command_channel.hpp"
#include "protocols/common/conversation.hpp"
#include "protocols/common/dot_stuffing.hpp"
#include "protocols/common/message.hpp"
#include "protocols/common/sasl_exchange.hpp"
#include "protocols/common/tls_mode.hpp"
#include "protocols/smtp/reply_parser.hpp"

namespace mv {

struct SmtpOptions {
  std::string ehlo_name = "localhost";
  TlsMode tls = TlsMode::starttls;  // implicit: the pump did TLS before the greeting
  bool allow_plaintext = false;     // permits AUTH without TLS, and HELO when EHLO is refused
  std::optional<Credentials> credentials;  // nullopt: no AUTH
  std::optional<Mechanism> mechanism;      // the user's choice; nullopt: strongest both offer
  std::string mail_from;
  std::string rcpt_to;
  MessageSource* message = nullptr;  // nullptr: stop after AUTH (QUIT), sending nothing
  Limits limits = kDefaultLimits;
};

// What EHLO told us (after TLS, only what the second EHLO said).
struct SmtpCapabilities {
  bool esmtp = false;
  bool starttls = false;
  bool pipelining = false;
  bool eightbitmime = false;
  bool smtputf8 = false;
  bool enhanced_status_codes = false;
  std::optional<std::size_t> size_limit;  // SIZE n (0 = no fixed limit)
  std::vector<Mechanism> auth;            // AUTH x y and AUTH=x y, mechanisms we implement
  std::vector<std::string> auth_names;    // every AUTH name the server listed, as listed
};

class SmtpClient final : public Conversation {
 public:
  explicit SmtpClient(SmtpOptions options);

  void on_bytes(std::string_view data) override;
  void on_eof() override;
  std::string_view output() override;
  void consume(std::size_t n) override;
  bool output_sensitive() const override;
  bool wants_tls() const override;
  void on_tls_ready() override;
  std::optional<Event> next_event() override;
  bool done() const override;
  const Error& error() const override;

  const SmtpCapabilities& capabilities() const;
  bool tls_active() const;
  // The queue id from the final 250 after DATA ("queued as X" / Microsoft's "<id>"), if any.
  const std::string& queue_id() const;
  // The server's whole reply to the message data, once accepted.
  const std::string& accept_reply() const;
  // Client→server turns so far (each flush of output that waits for a reply).
  std::size_t turns() const;
  // The last complete reply received (e.g. the refusal behind error(), for the diagnosis).
  const SmtpReply& last_reply() const { return last_reply_; }

 private:
  // One state per awaited reply (plus body streaming and the TLS handshake pause). Each has one
  // send_* that queues its command and one handle_* for its reply.
  enum class State {
    greeting,
    ehlo,
    helo,
    starttls,
    tls_handshake,
    auth,
    mail,
    rcpt,
    data,
    body,
    data_end,
    quit,
    done,
    failed
  };

  void set_state(State s);
  static std::string_view state_name(State s);
  static std::string_view step_of(State s);

  void handle_reply(const SmtpReply& reply);
  void handle_greeting(const SmtpReply& reply);
  void handle_ehlo(const SmtpReply& reply);
  void handle_helo(const SmtpReply& reply);
  void handle_starttls(const SmtpReply& reply);
  void handle_auth(const SmtpReply& reply);
  void handle_mail(const SmtpReply& reply);
  void handle_rcpt(const SmtpReply& reply);
  void handle_data(const SmtpReply& reply);
  void handle_data_end(const SmtpReply& reply);
  void handle_quit(const SmtpReply& reply);

  void send_ehlo();
  void send_helo();
  void send_starttls();
  void after_hello();  // STARTTLS, AUTH, MAIL or QUIT: whatever comes next
  void send_auth();
  void send_mail();  // MAIL, and RCPT + DATA in the same flush when pipelining
  void send_rcpt();
  void send_data();
  void send_quit();
  void refill_body();

  bool parse_ehlo(const SmtpReply& reply);
  void wait_reply();  // the queued commands are one turn
  void emit(std::string_view step, std::string detail);
  // An error with the reply's codes (reply class, enhanced status) carried in it.
  Error smtp_error(ErrorKind kind, std::string detail, const SmtpReply* reply = nullptr) const;
  void fail(Error e);
  void fail(ErrorKind kind, std::string detail, const SmtpReply* reply = nullptr);

  SmtpOptions options_;
  bool quit_pipelined_ = false;  // QUIT went out with the final dot (PIPELINING)
  State state_ = State::greeting;
  SmtpReplyParser parser_;
  SmtpCapabilities caps_;
  bool tls_active_ = false;
  bool pipelined_ = false;
  std::optional<SaslExchange> sasl_;
  DotStuffer stuffer_;
  std::string body_buf_;  // one output_chunk of message text, reused

  CommandChannel channel_;  // output, replies owed, the sticky error

  std::vector<Event> events_;
  std::size_t next_event_ = 0;
  std::size_t turns_ = 0;
  SmtpReply last_reply_;
  std::string queue_id_;
  std::string accept_reply_;
};

}  // namespace mv
