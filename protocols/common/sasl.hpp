// SPDX-License-Identifier: Apache-2.0
// SASL client mechanisms shared by SMTP, IMAP and POP3: PLAIN (RFC 4616), LOGIN, CRAM-MD5
// (RFC 2195), XOAUTH2 (Google's format) and OAUTHBEARER (RFC 7628). Works on raw bytes; the
// protocol clients do the base64 framing. Never logs or returns the secret except inside the
// responses it builds.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/limits.hpp"

namespace mv {

enum class Mechanism { plain, login, cram_md5, xoauth2, oauthbearer };

std::string_view mechanism_name(Mechanism m);  // "PLAIN", "LOGIN", "CRAM-MD5", ...
// Case-insensitive; nullopt for a mechanism we do not implement.
std::optional<Mechanism> mechanism_from_name(std::string_view name);

struct Credentials {
  std::string user;
  std::string secret;  // password, or OAuth2 access token when is_token
  bool is_token = false;
  std::string host;  // for OAUTHBEARER's host= and port= fields
  unsigned port = 0;
};

// The mechanism to use among those the server offers: with a token OAUTHBEARER, then XOAUTH2;
// with a password over TLS PLAIN, LOGIN, CRAM-MD5 (one round trip first); with a password
// without TLS CRAM-MD5 first, since it does not reveal the password, then PLAIN and LOGIN (whether
// a cleartext password may be sent at all is the engine's policy, not this function's). nullopt
// when none fits.
std::optional<Mechanism> choose_mechanism(std::span<const Mechanism> offered, bool is_token,
                                          bool over_tls);

class SaslClient {
 public:
  // max_rounds bounds the challenges answered in one exchange; a server that keeps challenging is
  // cut off (respond() returns nullopt) instead of looping.
  SaslClient(Mechanism m, Credentials c, std::size_t max_rounds = kDefaultLimits.max_sasl_rounds);
  ~SaslClient();  // wipes its copy of the secret
  SaslClient(const SaslClient&) = delete;
  SaslClient& operator=(const SaslClient&) = delete;

  Mechanism mechanism() const { return mech_; }
  // The initial response to send with the command (SASL-IR), or nullopt when the mechanism starts
  // with a server challenge (LOGIN, CRAM-MD5).
  std::optional<std::string> initial_response() const;

  // The response to a decoded server challenge. nullopt means the exchange cannot continue (a
  // challenge the mechanism does not expect, too many rounds): the client should cancel with "*".
  // For XOAUTH2/OAUTHBEARER a challenge after the initial response is the server's JSON error: the
  // response is the empty/%x01 message the spec requires, and server_error() keeps the JSON.
  // PLAIN, XOAUTH2 and OAUTHBEARER answer an empty first challenge (no SASL-IR) with the initial
  // response.
  std::optional<std::string> respond(std::string_view challenge);

  const std::string& server_error() const { return server_error_; }
  // Every round was used: respond() answers no further challenge.
  bool exhausted() const { return round_ >= max_rounds_; }

 private:
  Mechanism mech_;
  Credentials cred_;
  std::size_t max_rounds_;
  std::size_t round_ = 0;
  std::string server_error_;
};

}  // namespace mv
