// A sans-I/O SMTP submission client (RFC 5321, 3207 STARTTLS, 4954 AUTH, 2920 PIPELINING):
// greeting, EHLO, STARTTLS (any byte received after the 220 is an injection: abort), EHLO again
// after TLS with all earlier knowledge dropped, AUTH, MAIL/RCPT/DATA (pipelined when offered),
// the message streamed with dot-stuffing, QUIT. Credentials are never sent before TLS unless
// allow_plaintext is set. Implements the Conversation contract the engine's pump drives.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/common/conversation.hpp"
#include "protocols/common/limits.hpp"
#include "protocols/common/message.hpp"
#include "protocols/common/sasl.hpp"
#include "protocols/common/tls_mode.hpp"

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

 private:
  // State enum, set_state(), one send/handle pair per state: see client.cpp.
};

}  // namespace mv
