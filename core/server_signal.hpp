// SPDX-License-Identifier: Apache-2.0
// What a server's refusal says in machine-readable form, parsed once where the reply is read and
// carried in the Error: SMTP's reply code and RFC 3463 enhanced status code, IMAP's RFC 5530
// response code and [ALERT] text, POP3's RFC 2449/3206 extended response code. The diagnosis
// decides from these, not from the step that failed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mv {

// RFC 3463 class.subject.detail, e.g. 5.7.139 (class 2, 4 or 5; subject 0-7).
struct EnhancedStatus {
  int klass = 0;
  int subject = 0;
  int detail = 0;

  explicit operator bool() const { return klass != 0; }
  std::string text() const;  // "5.7.139", empty when none
};

// The enhanced status code at the start of an SMTP reply's text ("5.7.139 Authentication ..."),
// when it is one (RFC 2034: it follows the reply code and a space; its class matches the reply's).
std::optional<EnhancedStatus> parse_enhanced_status(std::string_view text);
// The IANA "Enumerated Status Codes" registry's meaning of subject.detail for the common codes
// (e.g. X.7.8 "Authentication credentials invalid"); the subject's meaning when the detail is not
// listed; empty for an unknown subject.
std::string_view enhanced_status_meaning(const EnhancedStatus& s);
// The subject's name: "addressing", "mailbox", "mail system", "network and routing", "mail
// delivery protocol", "message content or media", "security or policy"; "other" for X.0.X.
std::string_view enhanced_status_subject(int subject);

struct ServerSignal {
  int reply_code = 0;     // SMTP: 421, 454, 535, 550 ...
  EnhancedStatus status;  // SMTP: RFC 3463
  std::string
      response_code;  // IMAP RFC 5530 / POP3 RFC 2449, upper case: "UNAVAILABLE", "SYS/TEMP"
  std::string alert;  // IMAP: the text of an [ALERT] (RFC 9051 7.1: show it to the user)

  bool any() const { return reply_code || status || !response_code.empty() || !alert.empty(); }
  // The server said "not now": SMTP 4xx or 4.X.X, IMAP [UNAVAILABLE], [INUSE] or [LIMIT], POP3
  // [IN-USE], [LOGIN-DELAY] or [SYS/TEMP].
  bool temporary() const;
  // The server named the credentials as the problem: 5.7.8, IMAP [AUTHENTICATIONFAILED], POP3
  // [AUTH].
  bool blames_credentials() const;
  // One short line for people: "535 5.7.139", "[UNAVAILABLE]", "[SYS/PERM]"; empty when none.
  std::string summary() const;
};

// The response code of an IMAP status text "[CODE args] text" or POP3 "-ERR [CODE] text" (upper
// case, the first atom only); empty when there is none.
std::string bracket_code(std::string_view text);

}  // namespace mv
