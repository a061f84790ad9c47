// SPDX-License-Identifier: Apache-2.0
// The one SASL driver SMTP (RFC 4954), IMAP (RFC 9051 6.2.2, RFC 4959) and POP3 (RFC 5034) run:
// the mechanism choice, the initial response (on the command line when it fits, else in answer to
// the server's first challenge), the challenge loop bounded by Limits::max_sasl_rounds, and one
// cancel policy. The client keeps only its framing ("334 "/"+ " in, a line out).
// The cancel policy, the same in all three RFCs: a challenge the client cannot answer (not
// base64, not what the mechanism expects, one round too many) is answered with "*", and the server
// must end the exchange with an error. The client then fails with bad_challenge naming why it
// cancelled; a server that challenges again or accepts the cancelled exchange fails the same way.
// Every string holding a credential is wiped before it is released.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "protocols/common/sasl.hpp"

namespace mv {

// The mechanism for an AUTH: the user's choice when the server offers it, else choose_mechanism().
struct MechanismPick {
  std::optional<Mechanism> mechanism;  // nullopt: none fits (or the choice is not offered)
  bool wanted_not_offered = false;     // the user's choice is not among those offered
};
// offered_known: the server listed its mechanisms (POP3 may not: then the user's choice is tried).
MechanismPick pick_mechanism(std::optional<Mechanism> wanted, std::span<const Mechanism> offered,
                             bool offered_known, bool is_token, bool over_tls);

class SaslExchange {
 public:
  SaslExchange(Mechanism m, const Credentials& c, const Limits& limits);

  Mechanism mechanism() const { return sasl_.mechanism(); }
  std::string_view name() const { return mechanism_name(sasl_.mechanism()); }

  // The command's argument: the base64 initial response ("=" when empty), or nullopt when the
  // mechanism has none or it is longer than max_size (then the first challenge is answered with it;
  // pass 0 when the server does not take one on the command line).
  std::optional<std::string> initial_argument(std::size_t max_size);

  // The line answering one challenge (its base64 text): the response, or "*" to cancel. nullopt
  // when the exchange was cancelled already and the server challenged again: fail with
  // cancelled_detail(false).
  std::optional<std::string> answer(std::string_view challenge);

  bool cancelled() const { return !cancel_reason_.empty(); }
  // When the server ended the exchange: nullopt unless the client had cancelled it, else the
  // bad_challenge detail (accepted: the server said OK to a cancelled exchange).
  std::optional<std::string> cancelled_detail(bool accepted) const;
  // An OAuth mechanism's JSON error status, when the server sent one.
  const std::string& server_error() const { return sasl_.server_error(); }

 private:
  SaslClient sasl_;
  std::size_t max_rounds_;
  bool deferred_initial_ = false;  // the initial response waits for the first challenge
  bool challenged_ = false;
  std::string cancel_reason_;
};

}  // namespace mv
