// SPDX-License-Identifier: Apache-2.0
// From an error (its code, the server's words and enhanced status codes) and what the user asked
// for, the one likely cause and the one fix, the way the providers' troubleshooting pages word
// them. Pure function of its inputs, so every rule is unit-testable.
#pragma once

#include <string>

#include "protocols/common/error.hpp"
#include "protocols/common/tls_mode.hpp"

namespace mv {

struct DiagnosisContext {
  std::string protocol;  // "smtp", "imap", "pop3"
  std::string host;
  unsigned port = 0;
  TlsMode tls = TlsMode::starttls;
  std::string user;
  bool used_token = false;  // authenticated with an OAuth2 token, not a password
  // The provider's published policy when it takes no passwords at all, only OAuth2 (a preset
  // knows it: Microsoft's consumer accounts since 2024-09-16); empty when unknown.
  std::string refuses_passwords;
};

// Fills error.cause and error.fix (leaves them when already set). A password refused by a
// provider whose policy refuses every password becomes a policy error: the server's reply ("NO
// LOGIN failed.") is the same as for a wrong password, but the password is not what is wrong.
void diagnose(Error& error, const DiagnosisContext& context);

}  // namespace mv
