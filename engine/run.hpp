// SPDX-License-Identifier: Apache-2.0
// A whole verification run as one call: the plan (what to send, where, how to read it back), run
// over the pump, into a Report. The default plan is the full round trip: submit a tagged message
// to the account itself over SMTP while the IMAP (or POP3) session logs in, detect its arrival,
// verify it byte for byte, check read-state sync and folder mapping, and remove only what this run
// sent. --send-only and --receive-only run one half; --stop-after makes a dry run.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/report.hpp"
#include "engine/session.hpp"
#include "protocols/common/sasl.hpp"
#include "tls/tls_context.hpp"

namespace mv {

class Pump;

enum class StopAfter { nothing, connect, tls, auth };
enum class Receive { imap, pop3 };

struct ServerLogin {
  Endpoint endpoint;
  std::optional<Credentials> credentials;  // nullopt: no login (SMTP only)
  std::optional<Mechanism> mechanism;
  // Non-empty when the provider accepts no passwords, only OAuth2 (see DiagnosisContext).
  std::string refuses_passwords;
};

struct RunConfig {
  std::string email;  // the account: From and To of the test message
  // Another recipient (--peer-email's legs): the message goes from email to rcpt_to, and the
  // read-back logs in to rcpt_to's mailbox. Empty: the account sends to itself.
  std::string rcpt_to;
  std::string in_reply_to;  // the test message replies to this Message-ID (empty: it does not)
  ServerLogin smtp;
  ServerLogin incoming;
  Receive receive = Receive::imap;
  bool send = true;       // false: --receive-only
  bool read_back = true;  // false: --send-only
  bool check_devices = true;
  bool check_folders = true;
  bool keep = false;  // leave the test message in the mailbox
  bool allow_plaintext = false;
  std::string ehlo_name = "localhost";
  std::string find_token;  // --receive-only: look for this token instead of sending
  TlsContextOptions tls;
  Timeouts timeouts;
  Millis delivery_timeout = 30'000;
  std::size_t body_size = 512;
  StopAfter stop_after = StopAfter::nothing;
  long cert_warning_days = 14;  // a certificate expiring sooner is a warning
  bool probe_ports = true;      // when SMTP cannot connect, probe 465/587/25 and say which answer
  // Called while waiting for the message to arrive ("waiting for the message: 1.2 s, poll 6"),
  // so a terminal can show progress. Empty: nothing is called.
  std::function<void(const std::string&)> on_progress;
  std::string trace_path;  // --trace: the wire transcript, secrets redacted; empty: none
};

struct RunResult {
  Report report;
  std::string token;
  std::string message_id;
  std::string body_digest;
  std::string queue_id;
  std::optional<double> delivery_ms;  // SMTP accepted → seen in the mailbox
};

// One run, on a pump of its own (the system's clock, poller and TCP).
RunResult run(const RunConfig& config);
// One run on the given pump, with its clock, poller and transport (tests: virtual ones); the
// pump runs until every plan on it has ended.
RunResult run(const RunConfig& config, Pump& pump);

// The setup guide's other two directions (--peer-email): from_peer sends a tagged message from
// the peer to the account, which must receive it (its usual checks run there); then the account
// replies (reply.in_reply_to is set to the first message's Message-ID) and the peer must receive
// the reply. Each leg removes its message unless keep. One report: a "leg.*" step per leg with
// its delivery time before the leg's own steps (prefixed "from_peer:" / "reply:"); the first
// failure ends the run.
RunResult run_two_way(const RunConfig& from_peer, RunConfig reply);

// Every run in one pump (one poll loop, no threads), at most max_concurrent (at least 1) of them
// in flight at a time; the results in the order of the configs. on_result, when given, hears of
// each result as soon as its run ends (in the order they end), with the index of its config.
// The callback may shrink the result it was given (a caller of thousands of runs keeps only what
// its summary needs); run_many returns the results as the callback left them.
using ResultCallback = std::function<void(std::size_t index, RunResult& result)>;
std::vector<RunResult> run_many(const std::vector<RunConfig>& configs, std::size_t max_concurrent,
                                const ResultCallback& on_result = {});

}  // namespace mv
