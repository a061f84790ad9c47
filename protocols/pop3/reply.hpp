// SPDX-License-Identifier: Apache-2.0
// POP3 response framing and grammar (RFC 1939 3, RFC 2449 CAPA and response codes, RFC 5034
// AUTH continuations): bytes in, in any split, and out come status lines, list items (CAPA, UIDL,
// LIST bodies, one line at a time) or message text chunks (TOP, RETR bodies, un-dot-stuffed and
// streamed: memory does not grow with the message). The reader does not know the command: the
// caller says, after a +OK, whether a list or a payload follows. Bounded: a line over
// limits.max_line is an error; list parsers below bound their entry counts. Errors are sticky.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "protocols/common/dot_stuffing.hpp"
#include "protocols/common/line_reader.hpp"
#include "protocols/common/sasl.hpp"

namespace mv {

// RFC 1939 7: a unique-id is 1 to 70 characters in 0x21..0x7E.
inline constexpr std::size_t kMaxPop3UidLength = 70;

// "+OK text" or "-ERR [CODE] text". code is the RFC 2449 extended response code without its
// brackets ("AUTH", "SYS/PERM", "IN-USE"), empty when none; text follows it, as received.
struct Pop3Status {
  bool ok = false;
  std::string code;
  std::string text;
  // "-ERR [AUTH] text" style: the whole line minus the status word, for errors and reports.
  std::string words() const;
};

// nullopt when the line is neither "+OK" nor "-ERR" (each alone or followed by a space).
std::optional<Pop3Status> parse_status_line(std::string_view line);

class Pop3ReplyReader {
 public:
  enum class Result {
    status,        // status() holds a +OK/-ERR line
    continuation,  // "+ text" or "+": continuation() holds text (an AUTH challenge)
    list_item,     // item() holds one list line, stuffed dot removed
    list_end,      // the "." that ends a list; the reader expects a status line again
    payload,       // payload() holds the next chunk of message text
    payload_end,   // the payload's terminator was read; the reader expects a status line again
    need_more,
    error,  // error() says why; sticky
  };

  explicit Pop3ReplyReader(const Limits& limits = kDefaultLimits);

  // Takes as many bytes as fit (at most one line's worth beyond what next() has drained) and
  // returns how many; the caller feeds the rest after calling next(). After an error it takes and
  // drops everything, so a caller loop cannot spin.
  std::size_t feed(std::string_view data);

  // Call right after a +OK status whose command has a multi-line body.
  void expect_list();
  void expect_payload();

  Result next();

  const Pop3Status& status() const { return status_; }
  std::string_view continuation() const { return text_; }
  std::string_view item() const { return text_; }
  std::string_view payload() const { return chunk_; }

  // The server closed the connection: inside a list or payload, or with a partial line buffered,
  // that is error "pop3.truncated" (category network). Returns true when it was.
  bool on_eof();

  // Within a response (a list or payload was started and has not ended).
  bool in_body() const { return mode_ != Mode::status; }
  const Error& error() const { return error_; }
  // Bytes received but not yet returned (after a +OK to STLS any is an attack).
  std::size_t buffered() const { return reader_.buffered(); }
  // Forget everything buffered and any error (after the TLS switch).
  void clear();

 private:
  enum class Mode { status, list, payload };
  Result fail(ErrorKind kind, std::string detail, std::string_view line);
  Result next_status();
  Result next_list();
  Result next_payload();

  Limits limits_;
  LineReader reader_;
  DotUnstuffer unstuffer_;
  Mode mode_ = Mode::status;
  bool payload_done_ = false;  // terminator read; payload_end is the next result
  Pop3Status status_;
  std::string text_;
  std::string chunk_;
  Error error_;
};

// What CAPA said (RFC 2449, RFC 2595 STLS, RFC 5034 SASL). After STLS only the second CAPA counts.
struct Pop3Capabilities {
  bool known = false;  // CAPA answered +OK
  bool top = false;
  bool user = false;
  bool uidl = false;
  bool pipelining = false;
  bool resp_codes = false;
  bool auth_resp_code = false;
  bool stls = false;
  bool sasl_listed = false;             // a SASL line was present
  std::vector<Mechanism> sasl;          // mechanisms we implement, in the server's order
  std::vector<std::string> sasl_names;  // every SASL name listed, as listed
  std::string implementation;           // IMPLEMENTATION argument, for the report
  std::size_t lines = 0;
};

// Adds one CAPA body line. Fails with "pop3.too_many_capabilities" past limits.max_capabilities
// lines.
bool add_capability_line(std::string_view line, Pop3Capabilities& caps, const Limits& limits,
                         Error& error);

// One maildrop message as listed by UIDL (uid set, size 0) or LIST (uid empty, size set).
struct Pop3Listing {
  std::uint32_t number = 0;
  std::string uid;
  std::uint64_t size = 0;
};

// RFC 1939 unique-id: 1..70 characters, each 0x21..0x7E.
bool valid_uid(std::string_view uid);

// Adds one UIDL body line "n uid". Fails with "pop3.bad_uidl" on a malformed line or UID, and
// "pop3.listing_too_long" past max_entries.
bool add_uidl_line(std::string_view line, std::vector<Pop3Listing>& out, Error& error,
                   std::size_t max_entries = kDefaultLimits.max_pop3_listing);
// Adds one LIST body line "n size". Fails with "pop3.bad_list" or "pop3.listing_too_long".
bool add_list_line(std::string_view line, std::vector<Pop3Listing>& out, Error& error,
                   std::size_t max_entries = kDefaultLimits.max_pop3_listing);

// STAT's "+OK nn mm" text ("nn mm" and anything after). false when malformed.
bool parse_stat(std::string_view text, std::uint32_t& count, std::uint64_t& size);

// The APOP timestamp "<...>" in a greeting's text (RFC 1939 7), brackets included; empty if none.
std::string apop_timestamp(std::string_view greeting_text);

}  // namespace mv
