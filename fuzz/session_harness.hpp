// SPDX-License-Identifier: Apache-2.0
// Drives a real protocol client (the Conversation contract) the way the engine's pump does: feed a
// chunk of the server's bytes, then write out everything the client wants sent (consume()), run the
// TLS handshake when it asks (on_tls_ready()), start tasks when it is ready, and only then feed the
// next chunk; EOF at the end. Invariants checked after every step:
//   - error() once set stays set with the same code, and output() stays empty; never done() too;
//   - the error has a category and a code starting with "<proto>." or "usage.";
//   - wants_tls() only with nothing to send; tls_active() only after the pump did TLS;
//   - no secret (in clear or inside a base64 word) is sent before TLS unless allow_plaintext, and
//     output holding it is marked output_sensitive() (the wire trace redacts it);
//   - events name a "<proto>." step; neither events nor errors hold the secret (unless the server's
//     own bytes did);
//   - after EOF the conversation is done() or failed; the pump always settles.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/common/base64.hpp"
#include "protocols/common/conversation.hpp"
#include "protocols/common/sasl.hpp"
#include "protocols/common/tls_mode.hpp"

namespace mv::fuzz {

inline constexpr std::string_view kSessionSecret = "Fuzz-Secret-7c1d";
inline constexpr std::string_view kSessionUser = "fuzz@example.test";

// Option bits 0-1 of every session target: 0 implicit TLS, 1 and 3 STARTTLS, 2 none.
inline TlsMode tls_mode_from_bits(unsigned bits) {
  bits &= 3u;
  return bits == 0 ? TlsMode::implicit : (bits == 2 ? TlsMode::none : TlsMode::starttls);
}

// The harness's login (kSessionUser, kSessionSecret), as an OAuth2 token when asked.
inline Credentials session_credentials(bool token, unsigned port) {
  Credentials c;
  c.user = std::string(kSessionUser);
  c.secret = std::string(kSessionSecret);
  c.is_token = token;
  c.host = "mail.example.test";
  c.port = port;
  return c;
}

// The secret in clear, or inside any space-separated word of any line that decodes from base64.
inline bool leaks_secret(std::string_view wire, std::string_view secret) {
  if (wire.find(secret) != std::string_view::npos) return true;
  std::size_t i = 0;
  while (i < wire.size()) {
    while (i < wire.size() && (wire[i] == ' ' || wire[i] == '\r' || wire[i] == '\n'))
      ++i;
    const std::size_t start = i;
    while (i < wire.size() && wire[i] != ' ' && wire[i] != '\r' && wire[i] != '\n')
      ++i;
    if (i > start) {
      const auto decoded = base64_decode(wire.substr(start, i - start));
      if (decoded && decoded->find(secret) != std::string::npos) return true;
    }
  }
  return false;
}

struct SessionConfig {
  std::string_view proto;       // "smtp", "imap", "pop3"
  bool tls_from_start = false;  // implicit TLS
  bool allow_plaintext = false;
  std::size_t consume_step = 0;  // 0: consume all output at once; else at most this many bytes
  std::string_view input;        // the server's whole byte stream (for the echo exception)
  std::function<bool()> client_tls_active;  // the client's own view, checked against the pump's
};

class SessionHarness {
 public:
  // tasks(): called when the client has nothing to send; returns true when it started something.
  SessionHarness(Conversation& c, SessionConfig cfg, std::function<bool()> tasks)
      : c_(c), cfg_(cfg), tasks_(std::move(tasks)), tls_(cfg.tls_from_start) {
    input_has_secret_ = cfg.input.find(kSessionSecret) != std::string_view::npos;
  }

  void run(const std::vector<std::string_view>& chunks) {
    pump();
    for (std::string_view chunk : chunks) {
      c_.on_bytes(chunk);
      pump();
    }
    c_.on_eof();
    pump();
    if (verbose()) {
      std::fprintf(stderr, "sent %zu bytes (%zu before TLS); done=%d error=%s\n", wire_.size(),
                   plain_wire_.size(), c_.done() ? 1 : 0, c_.error().code.c_str());
    }
    FUZZ_CHECK(c_.done() || c_.error(), "after EOF neither done nor failed");
    FUZZ_CHECK(cfg_.allow_plaintext || !leaks_secret(plain_wire_, kSessionSecret),
               "credentials sent before TLS without allow_plaintext");
  }

  const std::string& wire() const { return wire_; }
  bool tls() const { return tls_; }

 private:
  // MV_FUZZ_VERBOSE=1 prints what is sent, the events and the outcome (to see how deep a seed
  // gets, and which tags and commands a new seed must answer).
  static bool verbose() {
    static const bool on = std::getenv("MV_FUZZ_VERBOSE") != nullptr;
    return on;
  }

  void check_state() {
    const Error& e = c_.error();
    if (e) {
      if (!failed_) {
        failed_ = true;
        code_ = e.code;
        FUZZ_CHECK(e.category != Category::none, e.code);
        FUZZ_CHECK(!e.code.empty(), "error without a code");
        FUZZ_CHECK(
            starts_with(e.code, std::string(cfg_.proto) + ".") || starts_with(e.code, "usage."),
            e.code);
        FUZZ_CHECK(input_has_secret_ || (e.detail.find(kSessionSecret) == std::string::npos &&
                                         e.server_says.find(kSessionSecret) == std::string::npos),
                   "the secret is in the error");
      }
      FUZZ_CHECK(e.code == code_, "error changed from " + code_ + " to " + e.code);
      FUZZ_CHECK(c_.output().empty(), "output after an error: " + code_);
      FUZZ_CHECK(!c_.done(), "done and failed");
    } else {
      FUZZ_CHECK(!failed_, "error was cleared: " + code_);
    }
    if (c_.wants_tls()) FUZZ_CHECK(c_.output().empty(), "wants_tls with output pending");
    if (cfg_.client_tls_active && cfg_.client_tls_active()) {
      FUZZ_CHECK(tls_, "the client claims TLS the pump never ran");
    }
  }

  void pump() {
    for (std::size_t rounds = 0;; ++rounds) {
      FUZZ_CHECK(rounds < 1000000, "the pump does not settle");
      check_state();
      const std::string_view out = c_.output();
      if (!out.empty()) {
        // A wire trace redacts what output_sensitive() marks: a credential must never go unmarked.
        FUZZ_CHECK(input_has_secret_ || c_.output_sensitive() || !leaks_secret(out, kSessionSecret),
                   "the secret in output not marked sensitive");
        const std::size_t n =
            cfg_.consume_step == 0 ? out.size() : std::min(cfg_.consume_step, out.size());
        if (verbose()) std::fprintf(stderr, "sent: %.*s", static_cast<int>(n), out.data());
        wire_.append(out.substr(0, n));
        if (!tls_) plain_wire_.append(out.substr(0, n));
        c_.consume(n);
        continue;
      }
      if (c_.wants_tls()) {
        c_.on_tls_ready();
        tls_ = true;
        continue;
      }
      if (!failed_ && tasks_ && tasks_()) continue;
      break;
    }
    while (auto ev = c_.next_event()) {
      if (verbose()) std::fprintf(stderr, "event %s: %s\n", ev->step.c_str(), ev->detail.c_str());
      FUZZ_CHECK(starts_with(ev->step, std::string(cfg_.proto) + "."), ev->step);
      FUZZ_CHECK(input_has_secret_ || (ev->detail.find(kSessionSecret) == std::string::npos &&
                                       ev->step.find(kSessionSecret) == std::string::npos),
                 "the secret is in an event");
    }
  }

  Conversation& c_;
  SessionConfig cfg_;
  std::function<bool()> tasks_;
  bool tls_;
  bool failed_ = false;
  bool input_has_secret_ = false;
  std::string code_;
  std::string wire_;        // everything sent
  std::string plain_wire_;  // everything sent before TLS
};

}  // namespace mv::fuzz
