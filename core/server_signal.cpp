// SPDX-License-Identifier: Apache-2.0
#include "core/server_signal.hpp"

#include "protocols/common/ascii.hpp"

namespace mv {

namespace {

bool digits(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s)
    n = n * 10 + (c - '0');
  return n;
}

bool one_of(std::string_view code, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (code == n) return true;
  return false;
}

}  // namespace

std::string EnhancedStatus::text() const {
  if (!klass) return {};
  return std::to_string(klass) + "." + std::to_string(subject) + "." + std::to_string(detail);
}

std::optional<EnhancedStatus> parse_enhanced_status(std::string_view text) {
  // status-code = class "." subject "." detail; class = "2"/"4"/"5", subject 1*3digit,
  // detail 1*3digit (RFC 3463 2).
  const std::size_t end = text.find_first_of(" \t");
  const std::string_view token = text.substr(0, end);
  const std::size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  const std::size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return std::nullopt;
  const std::string_view c = token.substr(0, d1), s = token.substr(d1 + 1, d2 - d1 - 1),
                         d = token.substr(d2 + 1);
  if (c.size() != 1 || (c[0] != '2' && c[0] != '4' && c[0] != '5')) return std::nullopt;
  if (!digits(s, 3) || !digits(d, 3)) return std::nullopt;
  return EnhancedStatus{c[0] - '0', number(s), number(d)};
}

std::string_view enhanced_status_subject(int subject) {
  switch (subject) {
    case 0:
      return "other";
    case 1:
      return "addressing";
    case 2:
      return "mailbox";
    case 3:
      return "mail system";
    case 4:
      return "network and routing";
    case 5:
      return "mail delivery protocol";
    case 6:
      return "message content or media";
    case 7:
      return "security or policy";
    default:
      return "";
  }
}

// IANA "Simple Mail Transfer Protocol (SMTP) Enhanced Status Codes", Enumerated Status Codes
// (https://www.iana.org/assignments/smtp-enhanced-status-codes), the codes mail submission meets.
std::string_view enhanced_status_meaning(const EnhancedStatus& s) {
  struct Row {
    int subject, detail;
    std::string_view meaning;
  };
  static constexpr Row kRows[] = {
      {0, 0, "Other undefined status"},
      {1, 0, "Other address status"},
      {1, 1, "Bad destination mailbox address"},
      {1, 2, "Bad destination system address"},
      {1, 3, "Bad destination mailbox address syntax"},
      {1, 7, "Bad sender's mailbox address syntax"},
      {1, 8, "Bad sender's system address"},
      {1, 10, "Recipient address has null MX"},
      {2, 0, "Other or undefined mailbox status"},
      {2, 1, "Mailbox disabled, not accepting messages"},
      {2, 2, "Mailbox full"},
      {2, 3, "Message length exceeds administrative limit"},
      {2, 4, "Mailing list expansion problem"},
      {3, 0, "Other or undefined mail system status"},
      {3, 1, "Mail system full"},
      {3, 2, "System not accepting network messages"},
      {3, 3, "System not capable of selected features"},
      {3, 4, "Message too big for system"},
      {3, 5, "System incorrectly configured"},
      {4, 0, "Other or undefined network or routing status"},
      {4, 1, "No answer from host"},
      {4, 2, "Bad connection"},
      {4, 3, "Directory server failure"},
      {4, 4, "Unable to route"},
      {4, 5, "Mail system congestion"},
      {4, 6, "Routing loop detected"},
      {4, 7, "Delivery time expired"},
      {5, 0, "Other or undefined protocol status"},
      {5, 1, "Invalid command"},
      {5, 2, "Syntax error"},
      {5, 3, "Too many recipients"},
      {5, 4, "Invalid command arguments"},
      {5, 5, "Wrong protocol version"},
      {5, 6, "Authentication Exchange line is too long"},
      {6, 0, "Other or undefined media error"},
      {7, 0, "Other or undefined security status"},
      {7, 1, "Delivery not authorized, message refused"},
      {7, 4, "Security features not supported"},
      {7, 8, "Authentication credentials invalid"},
      {7, 9, "Authentication mechanism is too weak"},
      {7, 10, "Encryption Needed"},
      {7, 11, "Encryption required for requested authentication mechanism"},
      {7, 12, "A password transition is needed"},
      {7, 13, "User Account Disabled"},
      {7, 14, "Trust relationship required"},
      {7, 15, "Priority Level is too low"},
      {7, 16, "Message is too big for the specified priority"},
      {7, 17, "Mailbox owner has changed"},
      {7, 18, "Domain owner has changed"},
      {7, 19, "RRVS test cannot be completed"},
      {7, 20, "No passing DKIM signature found"},
      {7, 23, "SPF validation failed"},
      {7, 25, "Reverse DNS validation failed"},
      {7, 26, "Multiple authentication checks failed"},
      {7, 27, "Sender address has null MX"},
  };
  for (const Row& r : kRows)
    if (r.subject == s.subject && r.detail == s.detail) return r.meaning;
  return enhanced_status_subject(s.subject);
}

bool ServerSignal::temporary() const {
  if (reply_code >= 400 && reply_code < 500) return true;
  if (status.klass == 4) return true;
  // RFC 5530: UNAVAILABLE "temporary failure because a subsystem is down", LIMIT (a server
  // limit, e.g. connections, was hit), INUSE "an object in use"; RFC 2449 IN-USE and
  // LOGIN-DELAY, RFC 3206 SYS/TEMP.
  return one_of(response_code,
                {"UNAVAILABLE", "INUSE", "LIMIT", "IN-USE", "LOGIN-DELAY", "SYS/TEMP"});
}

bool ServerSignal::blames_credentials() const {
  if (status.klass == 5 && status.subject == 7 && status.detail == 8) return true;
  return one_of(response_code, {"AUTHENTICATIONFAILED", "AUTH"});
}

std::string ServerSignal::summary() const {
  std::string s;
  if (reply_code) s = std::to_string(reply_code);
  if (status) s += (s.empty() ? "" : " ") + status.text();
  if (!response_code.empty()) s += (s.empty() ? "[" : " [") + response_code + "]";
  return s;
}

std::string bracket_code(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] == ' ')
    ++i;
  if (i >= text.size() || text[i] != '[') return {};
  const std::size_t close = text.find(']', i);
  if (close == std::string_view::npos) return {};
  std::string_view inner = text.substr(i + 1, close - i - 1);
  inner = inner.substr(0, inner.find(' '));
  if (inner.empty() || inner.size() > 64) return {};
  // A code is printable ASCII (an IMAP atom, a POP3 "SYS/TEMP"): anything else is no code, never
  // control or 8-bit bytes carried unsanitised into summary() and the diagnosis.
  for (char c : inner)
    if (c <= 0x20 || c >= 0x7f) return {};
  return ascii_upper(inner);
}

}  // namespace mv
