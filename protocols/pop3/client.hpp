// SPDX-License-Identifier: Apache-2.0
// A sans-I/O POP3 client (RFC 1939, 2449 CAPA, 2595 STLS, 5034 SASL): greeting (APOP timestamp
// noted, APOP never used), CAPA (a refusal means no capabilities), STLS when asked for (any byte
// received after its +OK is an injection: abort), CAPA again after TLS with all earlier knowledge
// dropped, AUTH (SASL-IR on the command line when it fits 255 octets) or USER/PASS, STAT. Then the
// engine queues tasks (uidl, find_token, retrieve, dele, rset, quit); they run one after another,
// each ending with one Event and a result readable until the next task of its kind ends.
// Promises: credentials are never sent before TLS unless allow_plaintext is set (and with TLS
// mode none and no consent, nothing at all is sent); the user's mail is only read (TOP, RETR) and
// only the numbers the engine passes to dele() are marked; after any error nothing more is sent,
// in particular never QUIT, so the server discards DELE marks (RFC 1939 6). Message bodies stream
// through in chunks (memory bounded whatever their size). A reply arriving before its command was
// consumed by the pump, or while nothing is awaited, is an error. Secrets never reach events or
// errors.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "protocols/common/command_channel.hpp"
#include "protocols/common/conversation.hpp"
#include "protocols/common/message_scanner.hpp"
#include "protocols/common/sasl_exchange.hpp"
#include "protocols/common/tls_mode.hpp"
#include "protocols/pop3/reply.hpp"

namespace mv {

struct Pop3Options {
  TlsMode tls = TlsMode::implicit;  // implicit: the pump did TLS before the greeting (POP3S, 995)
  bool allow_plaintext = false;     // permits credentials without TLS (TlsMode::none)
  Credentials credentials;
  std::optional<Mechanism> mechanism;  // the user's choice; nullopt: strongest both offer, or
                                       // USER/PASS when no SASL mechanism fits a password
  Limits limits = kDefaultLimits;
};

// What retrieve() read back.
struct Pop3Message {
  std::uint32_t number = 0;
  std::optional<std::string> token;  // first X-Mailverify-Token value
  std::string message_id;            // first Message-ID value, empty if none
  std::string body_digest;           // BodyDigest (hex SHA-256) of the body after the header
  std::uint64_t size = 0;            // octets of message text, un-dot-stuffed, line ends as sent
};

class Pop3Client final : public Conversation {
 public:
  explicit Pop3Client(Pop3Options options);

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

  // Tasks. They may be queued at any time before quit(); they start once STAT is done, in order.
  // A message number outside 1..message_count() (or one already marked by dele()) for retrieve()
  // or dele(), or any task after quit(), is error "pop3.bad_task" (category usage).
  //   uidl():  UIDL, or LIST when UIDL is refused -> listing(). Event "pop3.uidl".
  //   find_token(t, from): TOP n 0 for n = message_count() down to from, skipping marked
  //            messages, stopping at the first whose X-Mailverify-Token equals t -> found().
  //            from 0 (the default): the newest Limits::max_pop3_scanned messages.
  //            Event "pop3.top" (one per task, not per message).
  //   retrieve(n): RETR n streamed -> retrieved(). Event "pop3.retr".
  //   dele(n): DELE n (effective only at QUIT). Event "pop3.dele".
  //   rset():  RSET, undoing every DELE of the session. Event "pop3.rset".
  //   quit():  QUIT; on +OK done() is true. Event "pop3.quit".
  void uidl();
  void find_token(std::string token, std::uint32_t from_msg = 0);
  void retrieve(std::uint32_t n);
  void dele(std::uint32_t n);
  void rset();
  void quit();

  // Authenticated and STAT known; false after an error, and once quit() was called.
  bool ready() const;
  // ready() and no task queued or running: the last task's result is final.
  bool idle() const;

  std::uint32_t message_count() const { return message_count_; }  // from STAT (session snapshot)
  std::uint64_t maildrop_size() const { return maildrop_size_; }
  const std::vector<Pop3Listing>& listing() const { return listing_; }
  bool listing_has_uids() const { return listing_uids_; }  // false: it came from LIST
  std::optional<std::uint32_t> found() const { return found_; }
  std::uint32_t scanned() const { return scanned_; }  // TOPs the last find_token read
  const Pop3Message& retrieved() const { return retrieved_; }

  const Pop3Capabilities& capabilities() const { return caps_; }
  bool tls_active() const { return tls_active_; }
  const std::string& apop_timestamp() const { return apop_timestamp_; }
  // The mechanism used, or nullopt for USER/PASS (valid once authenticated).
  std::optional<Mechanism> mechanism_used() const { return mechanism_used_; }
  // Client->server turns so far (each command or SASL response line, each waiting for a reply).
  std::size_t turns() const { return turns_; }
  // The last status line received (e.g. the refusal behind error(), with its resp-code).
  const Pop3Status& last_status() const { return last_status_; }

 private:
  // One state per awaited reply (plus the TLS pause and idle between tasks). Each has one send_*
  // that queues its command and one handle_* for what comes back.
  enum class State {
    greeting,
    capa,
    stls,
    tls_handshake,
    auth,
    user,
    pass,
    stat,
    idle,
    uidl,
    list,
    top,
    retr,
    dele,
    rset,
    quit,
    done,
    failed
  };
  enum class TaskKind { uidl, find_token, retrieve, dele, rset, quit };
  struct Task {
    TaskKind kind;
    std::string token;
    std::uint32_t number = 0;
  };
  using Result = Pop3ReplyReader::Result;

  void set_state(State s);
  static std::string_view state_name(State s);
  static std::string_view step_of(State s);
  bool awaiting_reply() const;
  void drain();
  void handle(Result r);

  void handle_greeting(Result r);
  void handle_capa(Result r);
  void handle_stls(Result r);
  void handle_auth(Result r);
  void handle_user(Result r);
  void handle_pass(Result r);
  void handle_stat(Result r);
  void handle_uidl(Result r);
  void handle_list(Result r);
  void handle_top(Result r);
  void handle_retr(Result r);
  void handle_dele(Result r);
  void handle_rset(Result r);
  void handle_quit(Result r);

  void send_capa();
  void send_stls();
  void after_capa();  // STLS or authentication
  void start_auth();
  void send_auth();
  void send_user();
  void send_pass();
  void auth_accepted();
  void send_stat();
  void start_next_task();
  void send_uidl();
  void send_list();
  void send_top();  // the next TOP of find_token, or its end
  void send_retr();
  void send_dele();
  void send_rset();
  void send_quit();
  void task_done(std::string step, std::string detail);

  void enqueue(Task task);
  bool marked(std::uint32_t n) const;
  void queue_command(std::string_view line);
  void queue_secret(std::string& line);  // a line holding a credential; wiped once queued
  void emit(std::string step, std::string detail);
  void fail(ErrorKind kind, std::string detail, std::string_view server_says = {});
  void fail_with(Error e);
  void fail_auth();

  Pop3Options options_;
  State state_ = State::greeting;
  Pop3ReplyReader reader_;
  Pop3Capabilities caps_;
  bool tls_active_ = false;
  std::string apop_timestamp_;
  std::optional<SaslExchange> sasl_;
  std::optional<Mechanism> mechanism_used_;
  Pop3Status last_status_;

  bool ready_ = false;
  bool quit_requested_ = false;
  std::deque<Task> tasks_;
  Task task_{TaskKind::uidl, {}, 0};  // the running task
  std::uint32_t message_count_ = 0;
  std::uint64_t maildrop_size_ = 0;
  std::vector<std::uint32_t> marked_;  // DELE'd this session
  std::vector<Pop3Listing> listing_;
  bool listing_uids_ = false;
  std::optional<std::uint32_t> found_;
  std::uint32_t next_top_ = 0;
  std::uint32_t scanned_ = 0;
  std::optional<MessageScanner> scanner_;
  Pop3Message retrieved_;

  CommandChannel channel_;  // output, the reply owed, the sticky error

  std::deque<Event> events_;
  std::size_t turns_ = 0;
};

}  // namespace mv
