// SPDX-License-Identifier: Apache-2.0
// From an error (its kind, the server's words and codes) and what the user asked for, the one
// likely cause and the one fix, the way the providers' troubleshooting pages word them. In this
// order: what is known of the provider (engine/provider_knowledge), the server's own signal
// (a temporary refusal is never the password; RFC 5530 / RFC 2449 codes), then the kind, in an
// exhaustive switch. Pure function of its inputs, so every rule is unit-testable.
#pragma once

#include <string>

#include "core/error.hpp"
#include "protocols/common/tls_mode.hpp"

namespace mv {

struct DiagnosisContext {
  std::string protocol;  // "smtp", "imap", "pop3"
  std::string host;
  unsigned port = 0;
  TlsMode tls = TlsMode::starttls;
  std::string user;
  std::string email;
  bool used_token = false;    // authenticated with an OAuth2 token, not a password
  bool receive_only = false;  // --receive-only: the run looked for a message sent earlier
  // The provider's published policy when it takes no passwords at all, only OAuth2 (a preset
  // knows it: Microsoft's consumer accounts since 2024-09-16); empty when unknown.
  std::string refuses_passwords;
  // What the server showed of itself, for recognising its provider.
  std::string greeting;
  std::string certificate;
};

struct Diagnosis {
  std::string cause;
  std::string fix;
};

// Fills error.cause and error.fix (leaves them when already set), and may change the category
// (temporary, policy) when the server's words or codes say so. An [ALERT] is quoted in the cause.
void diagnose(Error& error, const DiagnosisContext& context);

// The cause and fix of a kind alone (no provider, no server codes): never empty for any kind.
Diagnosis diagnose_kind(const Error& error, const DiagnosisContext& context);

}  // namespace mv
