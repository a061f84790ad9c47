// SPDX-License-Identifier: Apache-2.0
// The command/response core SMTP, POP3 and IMAP share (curl's pingpong idea, sans-I/O): the bytes
// waiting to be written, the replies they are owed, the sticky error and the STARTTLS boundary.
// Promises:
// - Reply accounting: every command that awaits a reply records where its bytes end; a reply is
//   accepted only once the pump consumed (wrote) all of its command, so a reply to bytes the
//   server cannot have received yet (a forged or injected one) is refused, as is a reply when
//   none is due. Pipelined commands simply queue several replies, answered in order.
// - Secrets: output written with secret = true (AUTH, LOGIN, PASS, SASL responses) marks the
//   buffer sensitive until it is drained, and the buffer is wiped (not just cleared) then; the
//   caller's copy of the line is wiped as it is queued.
// - Errors stick: after fail() the channel keeps the first error, sends nothing and owes nothing.
// - STARTTLS is a protocol switch: whatever follows the reply that accepted it, in the same segment
//   or already buffered, is an injection (RFC 3207 5, RFC 2595 3.1, CVE-2011-0411).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace mv {

class CommandChannel {
 public:
  // ---- output ----
  // A line (CRLF appended) whose reply is due once all of it went out.
  void command(std::string_view line);
  // The same for a line holding a credential; `line` is wiped once copied.
  void secret_command(std::string& line);
  // A command already framed (CRLF included, maybe ending in an IMAP literal's "{n}\r\n").
  void framed_command(std::string_view bytes, bool secret = false);
  // More bytes of the last command (an IMAP literal, a continuation answer, IDLE's DONE): its
  // reply is due only once these went out too.
  void continue_command(std::string_view bytes, bool secret = false);
  void continue_secret(std::string& bytes);  // the same, wiping the caller's copy
  // Bytes with no reply of their own (a message body), then the reply its last bytes are owed.
  void write(std::string_view bytes);
  template <class Fill>
  void write_with(Fill&& fill) {  // fill(std::string&) appends to the buffer directly
    const std::size_t before = out_.size();
    fill(out_);
    queued_total_ += out_.size() - before;
  }
  void expect_reply();

  std::string_view pending() const;  // empty when failed or nothing is queued
  void consume(std::size_t n);       // the pump wrote n bytes of pending()
  bool sensitive() const { return secret_; }
  bool all_sent() const { return out_pos_ == out_.size(); }
  std::size_t replies_due() const { return due_.size(); }

  // ---- input ----
  enum class Turn { ok, none_due, early };
  // A reply (or continuation request) arrived for the oldest command owed one: ok (and no longer
  // owed), none_due, or early (its command was not all written yet). Peeking leaves it owed.
  Turn take_reply();
  Turn peek_reply() const;
  // The detail to fail with for a Turn other than ok.
  static std::string_view turn_problem(Turn t);

  // ---- the STARTTLS boundary ----
  // After the reply accepting STARTTLS (verb: "STARTTLS", "STLS"): the detail of the
  // starttls_injection error when bytes wait in the parser (`buffered`) or came behind the reply
  // (`unread`); nullopt when the boundary is clean.
  static std::optional<std::string> tls_boundary_breach(std::string_view verb, std::size_t buffered,
                                                        std::string_view unread);

  // ---- the sticky error ----
  // Keeps e unless an error is already kept (returns false then); drops (wipes) all output.
  bool fail(Error e);
  const Error& error() const { return error_; }
  bool failed() const { return static_cast<bool>(error_); }

 private:
  void drop_output();

  std::string out_;
  std::size_t out_pos_ = 0;
  bool secret_ = false;
  std::uint64_t queued_total_ = 0;    // bytes ever queued
  std::uint64_t consumed_total_ = 0;  // bytes ever consumed by the pump
  std::deque<std::uint64_t> due_;     // per owed reply: queued_total_ after its command's bytes
  Error error_;
};

}  // namespace mv
