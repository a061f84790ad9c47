// SPDX-License-Identifier: Apache-2.0
#include "engine/run.hpp"

#include <algorithm>
#include <csignal>
#include <ctime>
#include <memory>

#include "engine/clock.hpp"
#include "engine/diagnosis.hpp"
#include "engine/interrupt.hpp"
#include "engine/port_probe.hpp"
#include "engine/pump.hpp"
#include "engine/readback.hpp"
#include "engine/token.hpp"
#include "protocols/common/message.hpp"
#include "protocols/smtp/client.hpp"

// Both read-back protocols unless the build leaves one out (CMake sets these to 0 or 1).
#ifndef MAILVERIFY_WITH_IMAP
#define MAILVERIFY_WITH_IMAP 1
#endif
#ifndef MAILVERIFY_WITH_POP3
#define MAILVERIFY_WITH_POP3 1
#endif

namespace mv {

namespace {

DiagnosisContext context_of(const char* protocol, const ServerLogin& login) {
  DiagnosisContext d;
  d.protocol = protocol;
  d.host = login.endpoint.host;
  d.port = login.endpoint.port;
  d.tls = login.endpoint.tls;
  d.refuses_passwords = login.refuses_passwords;
  if (login.credentials) {
    d.user = login.credentials->user;
    d.used_token = login.credentials->is_token;
  }
  return d;
}

// The context of a failure, with what the failed session's server showed of itself (greeting,
// certificate) for recognising its provider.
DiagnosisContext context_for(const Error& e, const RunConfig& c, const Report& report) {
  const bool smtp = e.step.rfind("smtp", 0) == 0;
  const char* protocol = smtp ? "smtp" : c.receive == Receive::imap ? "imap" : "pop3";
  DiagnosisContext d = context_of(protocol, smtp ? c.smtp : c.incoming);
  d.email = c.email;
  d.receive_only = !c.send;
  const std::string greeting = std::string(protocol) + ".greeting";
  for (const StepRecord& s : report.steps)
    if (s.name == greeting && d.greeting.empty()) d.greeting = s.detail;
  for (const TlsFact& t : report.tls)
    if (t.session == protocol) d.certificate = t.subject;
  return d;
}

SmtpOptions smtp_options(const RunConfig& config, MessageSource* message) {
  SmtpOptions o;
  o.ehlo_name = config.ehlo_name;
  o.tls = config.smtp.endpoint.tls;
  o.allow_plaintext = config.allow_plaintext;
  o.credentials = config.smtp.credentials;
  if (o.credentials) {
    o.credentials->host = config.smtp.endpoint.host;
    o.credentials->port = config.smtp.endpoint.port;
  }
  o.mechanism = config.smtp.mechanism;
  o.mail_from = config.email;
  o.rcpt_to = config.rcpt_to.empty() ? config.email : config.rcpt_to;
  o.message = message;
  return o;
}

// "587 is blocked; 465 answers": the other submission ports, probed at once, into the fix.
Task<void> add_port_probe(Pump& pump, TlsContext& tls, Error& e, const RunConfig& config,
                          Report& report) {
  std::vector<unsigned> ports;
  for (unsigned p : {465u, 587u, 25u})
    if (p != config.smtp.endpoint.port) ports.push_back(p);
  const std::vector<PortProbe> probes = co_await probe_ports(
      pump, tls, config.smtp.endpoint, ports, std::min<Millis>(config.timeouts.connect, 3000));
  std::string detail, open;
  for (const PortProbe& p : probes) {
    if (!detail.empty()) detail += "; ";
    detail += std::to_string(p.port) + " " + p.detail;
    if (p.open && open.empty()) open = std::to_string(p.port);
  }
  report.add_step("smtp.probe_ports", 0, detail, !open.empty());
  if (!open.empty()) {
    e.fix = "port " + open + " answers: try --smtp-port " + open +
            (open == "465" ? " --smtp-tls implicit" : " --smtp-tls starttls");
  } else {
    e.fix += " (no other submission port answers either: the network may block outgoing mail)";
  }
}

// The plan of one run, as a coroutine on a pump it may share with other plans.
Task<RunResult> run_plan(Pump& pump, const RunConfig& config) {
  RunResult result;
  Report& report = result.report;
  const Clock& clock = pump.clock();
  const std::int64_t start = clock.now_us();
  report.started_at_ms = clock.wall_us() / 1000;
  auto finish = [&](Error e) {
    for (const TlsFact& t : report.tls) {
      if (t.days_to_expiry < config.cert_warning_days && t.days_to_expiry >= 0)
        report.warnings.push_back("the certificate of " + t.session + " expires in " +
                                  std::to_string(t.days_to_expiry) + " days (" + t.subject + ")");
    }
    if (e) {
      diagnose(e, context_for(e, config, report));
      report.error = std::move(e);
    }
    report.total_ms = static_cast<double>(clock.now_us() - start) / 1000.0;
    return result;
  };

  if (interrupted())  // --accounts: a signal came before this account's turn
    co_return finish(interrupted_error(config, Expected{}, LeftBehind::nothing_accepted, "start"));
  Error error;
  auto tls = TlsContext::create(config.tls, error);
  if (!tls) co_return finish(std::move(error));
  std::unique_ptr<Trace> trace;
  if (!config.trace_path.empty()) {
    trace = Trace::open(config.trace_path, error, clock);
    if (!trace) co_return finish(std::move(error));
  }

  Expected expected;
  std::optional<TestMessage> message;
  if (config.send && config.stop_after == StopAfter::nothing) {  // a dry run sends no message
    result.token = random_token();
    if (result.token.empty()) {
      error = make_error(ErrorKind::no_randomness, Protocol::none,
                         "the kernel's random number source (getrandom) is unavailable");
      error.cause =
          "this system gives the process no random numbers (a seccomp filter or an old "
          "kernel refuses getrandom), and a guessable token could match other mail";
      error.fix =
          "run the tool where getrandom(2) is allowed (check the container's seccomp "
          "profile)";
      co_return finish(std::move(error));
    }
    MessageSpec spec;
    spec.from = config.email;
    spec.to = config.rcpt_to.empty() ? config.email : config.rcpt_to;
    spec.in_reply_to = config.in_reply_to;
    spec.token = result.token;
    spec.date = rfc5322_date(static_cast<std::time_t>(clock.wall_us() / 1'000'000));
    spec.body_size = config.body_size;
    message = TestMessage::compose(spec, error);
    if (!message) co_return finish(std::move(error));
    result.message_id = message->message_id();
    result.body_digest = message->body_digest();
    expected.message_id = result.message_id;
    expected.body_digest = result.body_digest;
  } else {
    result.token = config.find_token;
  }
  expected.token = result.token;

  const bool dry = config.stop_after != StopAfter::nothing;
  std::unique_ptr<Readback> readback;
  if (config.read_back) {
    ReadbackDeps deps{config, *tls, report, pump.transport(), trace.get()};
#if MAILVERIFY_WITH_IMAP
    if (config.receive == Receive::imap) readback = make_imap_readback(deps);
#endif
#if MAILVERIFY_WITH_POP3
    if (config.receive == Receive::pop3) readback = make_pop3_readback(deps);
#endif
    if (!readback)  // the minimal profile may leave a protocol out (MAILVERIFY_WITH_IMAP/POP3)
      co_return finish(make_error(ErrorKind::protocol_not_built, Protocol::none,
                                  std::string(config.receive == Receive::imap ? "IMAP" : "POP3") +
                                      " read-back is not compiled into this build"));
    if (!dry) readback->start(pump);  // IMAP logs in while SMTP sends
  }

  std::unique_ptr<SmtpClient> smtp;
  std::unique_ptr<Session> smtp_session;
  if (config.send) {
    smtp = std::make_unique<SmtpClient>(
        smtp_options(config, dry ? nullptr : static_cast<MessageSource*>(&*message)));
    smtp_session = std::make_unique<Session>(pump.transport(), "smtp", config.smtp.endpoint, *tls,
                                             *smtp, config.timeouts, report, trace.get());
    smtp_session->stop_at(session_stop(config.stop_after));
    pump.add(*smtp_session);
  }

  const auto smtp_failed = [&] {
    return smtp_session && smtp_session->phase() == Session::Phase::failed;
  };
  const auto settled = [&] {
    bool smtp_settled = !smtp_session || smtp_session->finished();
    bool readback_settled = !readback || dry || readback->settled();
    return smtp_settled && readback_settled;
  };
  co_await pump.until([&] { return smtp_failed() || settled() || interrupted(); });
  if (!smtp_failed() && !settled()) {  // interrupted: say what the server accepted
    const bool accepted = smtp && !smtp->accept_reply().empty();
    co_return finish(
        interrupted_error(config, expected,
                          accepted ? (config.keep ? LeftBehind::kept : LeftBehind::may_arrive)
                                   : LeftBehind::nothing_accepted,
                          accepted || !smtp_session ? "imap.login" : "smtp"));
  }
  if (smtp_failed()) {
    Error e = smtp_session->error();
    if (config.probe_ports && !interrupted() && e.step == "smtp.connect" && e.code != "net.dns") {
      diagnose(e, context_for(e, config, report));
      co_await add_port_probe(pump, *tls, e, config, report);
    }
    co_return finish(std::move(e));
  }
  expected.accepted_at = pump.now();
  if (smtp) result.queue_id = expected.queue_id = smtp->queue_id();
  if (!readback) co_return finish(Error{});
  if (dry) co_return finish(co_await readback->dry_run(pump, config.stop_after));
  if (Error e = readback->setup_error()) co_return finish(std::move(e));
  co_return finish(co_await readback->complete(pump, expected, result));
}

Task<void> run_into(Pump& pump, const RunConfig& config, RunResult& result) {
  result = co_await run_plan(pump, config);
}

// One lane of run_many(): takes the next config not yet started until none is left.
Task<void> run_lane(Pump& pump, const std::vector<RunConfig>& configs, std::size_t& next,
                    std::vector<RunResult>& results, const ResultCallback& on_result) {
  while (next < configs.size()) {
    const std::size_t i = next++;
    results[i] = co_await run_plan(pump, configs[i]);
    if (on_result) on_result(i, results[i]);
  }
}

}  // namespace

RunResult run(const RunConfig& config) {
  Pump pump;
  return run(config, pump);
}

RunResult run(const RunConfig& config, Pump& pump) {
  RunResult result;
  pump.spawn(run_into(pump, config, result));
  pump.run();
  return result;
}

std::vector<RunResult> run_many(const std::vector<RunConfig>& configs, std::size_t max_concurrent,
                                const ResultCallback& on_result) {
  std::vector<RunResult> results(configs.size());
  std::size_t next = 0;
  Pump pump;
  const std::size_t lanes = std::min(std::max<std::size_t>(max_concurrent, 1), configs.size());
  for (std::size_t k = 0; k < lanes; ++k)
    pump.spawn(run_lane(pump, configs, next, results, on_result));
  pump.run();
  return results;
}

Credentials incoming_credentials(const RunConfig& config) {
  Credentials c = config.incoming.credentials.value_or(Credentials{});
  c.host = config.incoming.endpoint.host;
  c.port = config.incoming.endpoint.port;
  return c;
}

Error not_delivered_error(const RunConfig& config, const Expected& expected, const char* step) {
  std::string detail =
      "the message did not arrive within " + std::to_string(config.delivery_timeout / 1000) + " s";
  if (config.send) {
    detail += " although the SMTP server accepted it";
    if (!expected.queue_id.empty()) detail += " (queue id " + expected.queue_id + ")";
  }
  Error e = make_error(ErrorKind::not_delivered, Protocol::none, detail);
  e.step = step;
  return e;
}

Error interrupted_error(const RunConfig& config, const Expected& expected, LeftBehind left,
                        const char* step) {
  const int signo = interrupt_signal();
  const std::string name = signo == SIGINT    ? "SIGINT"
                           : signo == SIGTERM ? "SIGTERM"
                                              : "signal " + std::to_string(signo);
  Error e = make_error(ErrorKind::interrupted, Protocol::none,
                       "interrupted by " + name + " before the run finished");
  if (signo == kDeadlineReached)  // a timeout of the whole run: the check failed
    e = make_error(ErrorKind::deadline, Protocol::none,
                   "the overall deadline (-t) passed before the run finished");
  e.step = step;
  // The cause is the diagnosis's; what to do depends on what the run left behind.
  switch (left) {
    case LeftBehind::nothing_accepted:
      e.fix = "no test message was accepted; run it again";
      break;
    case LeftBehind::removed:
      e.fix = "the test message had arrived and was removed; run it again";
      break;
    case LeftBehind::in_mailbox:
      e.fix = "the test message could not be removed: delete \"" + test_subject(expected.token) +
              "\" by hand";
      break;
    case LeftBehind::kept:
      e.fix = "run it again";
      break;
    case LeftBehind::may_arrive:
      e.fix = "the test message was accepted and may still arrive: delete \"" +
              test_subject(expected.token) + "\" by hand (" +
              (config.read_back ? "it was not seen before the interruption" : "--send-only") + ")";
      break;
  }
  return e;
}

Session::StopAt session_stop(StopAfter stop) {
  return stop == StopAfter::connect ? Session::StopAt::connect
         : stop == StopAfter::tls   ? Session::StopAt::tls
                                    : Session::StopAt::end;
}

Millis poll_gap(unsigned n) {
  static constexpr Millis kGaps[] = {5, 10, 15, 20, 30, 50, 80, 120, 200, 300, 500, 750};
  constexpr unsigned kCount = sizeof kGaps / sizeof kGaps[0];
  return n < kCount ? kGaps[n] : 1000;
}

}  // namespace mv
