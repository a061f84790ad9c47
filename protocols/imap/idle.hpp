// SPDX-License-Identifier: Apache-2.0
// IMAP IDLE's bookkeeping (RFC 2177): the server accepts IDLE with a "+", the client ends it with
// one DONE, sent when EXISTS grows past what the mailbox held when IDLE began or when the caller
// asks; asked before the "+" came, DONE waits for it. It sends nothing: each call says whether
// DONE is due now, and the client sends it and says so (done_sent()).
#pragma once

#include <cstdint>

namespace mv {

class ImapIdle {
 public:
  // IDLE went out while the mailbox held exists messages.
  void start(std::uint32_t exists) {
    *this = ImapIdle{};
    exists_start_ = exists;
  }

  bool accepted() const { return accepted_; }
  // The server's "+" (the first one): true when DONE is due at once (asked for before it came).
  bool accept() {
    accepted_ = true;
    return done_requested_;
  }
  // The caller wants IDLE to end: true when DONE is due now; before the "+" it is remembered.
  bool stop() {
    if (done_sent_) return false;
    if (accepted_) return true;
    done_requested_ = true;
    return false;
  }
  // Untagged EXISTS now says exists: true when DONE is due (the mailbox grew while idling).
  bool ends_at(std::uint32_t exists) const { return idling() && exists > exists_start_; }
  void done_sent() { done_sent_ = true; }
  // Accepted, and DONE not yet sent.
  bool idling() const { return accepted_ && !done_sent_; }

 private:
  std::uint32_t exists_start_ = 0;
  bool accepted_ = false;
  bool done_requested_ = false;
  bool done_sent_ = false;
};

}  // namespace mv
