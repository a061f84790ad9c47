// SPDX-License-Identifier: Apache-2.0
// A signal in the middle of a run (engine/interrupt.hpp), against scripted servers: the script
// raises the request at a chosen point of the conversation, as SIGINT would, and asserts what the
// client sends afterwards. The run must end at once (not at a deadline), remove the test message
// if it is in the mailbox, log out, skip the checks it did not reach, and say "interrupted".
#include <doctest/doctest.h>

#include <csignal>
#include <string>

#include "engine/interrupt.hpp"
#include "tests/support/hostile.hpp"

namespace {

using mv::Category;
using mv::TlsMode;
using namespace mv::test::hostile;

// Arms the wake-up pipe; forgets the request afterwards (the flag is process-wide).
struct InterruptScope {
  InterruptScope() {
    REQUIRE(mv::arm_interrupts());
    mv::reset_interrupt();
  }
  ~InterruptScope() { mv::reset_interrupt(); }
};

// The run ended because of the request, not at a deadline: at the exact virtual time the request
// came (tests/support/memory_net.hpp), never at the waits each test would otherwise sit out (the
// SMTP reply's 5 s, the delivery timeout's 10 s, an IDLE slice's 5 s). The first poll for the
// message comes poll_gap(0) = 5 ms after SMTP's 250; IDLE begins once the short polls' gaps add up
// to 2 s (5 + 10 + ... + 750 = 2080 ms).
constexpr double kFirstPollMs = 5;
constexpr double kIdleBeginsMs = 2080;

// Implicit-TLS IMAP up to the first search for the token, which finds nothing.
void selected_and_first_search(Peer& p) {
  p.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS] ready\r\n");
  std::string tag = p.expect_imap("AUTHENTICATE PLAIN");
  p.send(tag + " OK [CAPABILITY IMAP4rev1 UIDPLUS] logged in\r\n");
  tag = p.expect_imap("SELECT INBOX");
  p.send("* 6 EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n" + tag + " OK [READ-WRITE] selected\r\n");
  tag = p.expect_imap("UID SEARCH");
  p.send("* SEARCH\r\n" + tag + " OK done\r\n");
}

}  // namespace

TEST_CASE("interrupt: the message found after the signal is removed, the rest skipped") {
  Pki k;
  MemoryNet net;
  InterruptScope scope;
  HostileServer smtp(
      net, [](Peer& p) { smtp_accept_message(p); }, k.pki.cert_file, k.pki.key_file);
  HostileServer imap(
      net,
      [&](Peer& p) {
        selected_and_first_search(p);
        std::string tag = p.expect_imap("NOOP");  // the first poll, after a short gap
        mv::request_interrupt(SIGINT);
        p.send("* 7 EXISTS\r\n" + tag + " OK done\r\n");
        tag = p.expect_imap("UID SEARCH");  // one last look, for what to remove
        p.send("* SEARCH 7\r\n" + tag + " OK done\r\n");
        tag = p.expect_imap("UID STORE 7 +FLAGS.SILENT (\\Deleted)");
        const std::string expunge = p.expect_imap("UID EXPUNGE 7");
        p.send(tag + " OK stored\r\n* 7 EXPUNGE\r\n" + expunge + " OK expunged\r\n");
        imap_logout(p);
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t =
      run_scripted(net, roundtrip_config(k.pki.ca_file, smtp.port(), imap.port()), {&smtp, &imap});
  INFO(describe(t));
  CHECK(t.error().category == Category::interrupted);
  CHECK(t.error().code == "run.interrupted");
  CHECK(t.error().detail.find("SIGINT") != std::string::npos);
  CHECK(t.error().fix.find("removed") != std::string::npos);
  CHECK(t.ms == kFirstPollMs);
  // Not fetched, not verified, folders not listed: only what removes the message.
  CHECK_FALSE(imap.wire().saw("UID FETCH"));
  CHECK_FALSE(imap.wire().saw("LIST"));
  CHECK(find_step(t, "imap.cleanup") != nullptr);
}

TEST_CASE("interrupt: the overall deadline stops the run the same way, reported as a timeout") {
  Pki k;
  MemoryNet net;
  InterruptScope scope;
  HostileServer smtp(
      net, [](Peer& p) { smtp_accept_message(p); }, k.pki.cert_file, k.pki.key_file);
  HostileServer imap(
      net,
      [&](Peer& p) {
        selected_and_first_search(p);
        std::string tag = p.expect_imap("NOOP");
        mv::request_interrupt(mv::kDeadlineReached);  // what the tool's -t timer calls
        p.send("* 7 EXISTS\r\n" + tag + " OK done\r\n");
        tag = p.expect_imap("UID SEARCH");
        p.send("* SEARCH 7\r\n" + tag + " OK done\r\n");
        tag = p.expect_imap("UID STORE 7 +FLAGS.SILENT (\\Deleted)");
        const std::string expunge = p.expect_imap("UID EXPUNGE 7");
        p.send(tag + " OK stored\r\n* 7 EXPUNGE\r\n" + expunge + " OK expunged\r\n");
        imap_logout(p);
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t =
      run_scripted(net, roundtrip_config(k.pki.ca_file, smtp.port(), imap.port()), {&smtp, &imap});
  INFO(describe(t));
  CHECK(t.error().category == Category::network);
  CHECK(t.error().code == "run.deadline");
  CHECK(t.error().step == "imap.arrival");
  CHECK(t.error().detail.find("deadline (-t)") != std::string::npos);
  CHECK(t.error().fix.find("removed") != std::string::npos);
  CHECK(t.ms == kFirstPollMs);
  CHECK(find_step(t, "imap.cleanup") != nullptr);
}

TEST_CASE("interrupt: a message not seen yet is named for removal by hand; LOGOUT still sent") {
  Pki k;
  MemoryNet net;
  InterruptScope scope;
  HostileServer smtp(
      net, [](Peer& p) { smtp_accept_message(p); }, k.pki.cert_file, k.pki.key_file);
  HostileServer imap(
      net,
      [&](Peer& p) {
        selected_and_first_search(p);
        std::string tag = p.expect_imap("NOOP");
        mv::request_interrupt(SIGTERM);
        p.send(tag + " OK done\r\n");
        tag = p.expect_imap("UID SEARCH");
        p.send("* SEARCH\r\n" + tag + " OK done\r\n");
        imap_logout(p);
      },
      k.pki.cert_file, k.pki.key_file);
  const Timed t =
      run_scripted(net, roundtrip_config(k.pki.ca_file, smtp.port(), imap.port()), {&smtp, &imap});
  INFO(describe(t));
  CHECK(t.error().category == Category::interrupted);
  CHECK(t.error().detail.find("SIGTERM") != std::string::npos);
  REQUIRE(t.result.token.size() > 0);
  CHECK(t.error().fix.find("mailverify round-trip test " + t.result.token) != std::string::npos);
  CHECK_FALSE(imap.wire().saw("STORE"));
  CHECK(t.ms == kFirstPollMs);
}

TEST_CASE("interrupt: an IDLE wait for the message ends at once, with DONE and LOGOUT") {
  Pki k;
  MemoryNet net;
  InterruptScope scope;
  HostileServer imap(
      net,
      [&](Peer& p) {
        p.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR IDLE] ready\r\n");
        std::string tag = p.expect_imap("AUTHENTICATE PLAIN");
        p.send(tag + " OK [CAPABILITY IMAP4rev1 IDLE] logged in\r\n");
        tag = p.expect_imap("SELECT INBOX");
        p.send("* 6 EXISTS\r\n" + tag + " OK [READ-WRITE] selected\r\n");
        // Short polls (NOOP, a SEARCH now and then) for 2 s, then IDLE, 5 s a slice.
        for (;;) {
          const auto l = p.line();
          if (!l) p.abort("EOF before IDLE");
          const std::string line = l->substr(0, l->size() - 2);
          tag = line.substr(0, line.find(' '));
          if (line.ends_with(" IDLE")) break;
          p.send((line.find(" UID SEARCH ") != std::string::npos ? "* SEARCH\r\n" : "") + tag +
                 " OK done\r\n");
        }
        p.send("+ idling\r\n");
        mv::request_interrupt(SIGINT);
        p.expect("DONE");
        p.send(tag + " OK idle done\r\n");
        tag = p.expect_imap("NOOP");
        p.send(tag + " OK done\r\n");
        tag = p.expect_imap("UID SEARCH");
        p.send("* SEARCH\r\n" + tag + " OK done\r\n");
        imap_logout(p);
      },
      k.pki.cert_file, k.pki.key_file);
  mv::RunConfig c =
      incoming_config(k.pki.ca_file, imap.port(), mv::Receive::imap, TlsMode::implicit);
  c.delivery_timeout = 20'000;
  c.timeouts.idle = 10'000;
  const Timed t = run_scripted(net, c, {&imap});
  INFO(describe(t));
  CHECK(t.error().category == Category::interrupted);
  CHECK(t.error().fix == "run it again");  // --receive-only: not this run's message to remove
  CHECK(t.ms == kIdleBeginsMs);            // not 5 s later, when the IDLE slice would have ended
}

TEST_CASE("interrupt: waiting for an SMTP reply ends at once; nothing was accepted") {
  Pki k;
  MemoryNet net;
  InterruptScope scope;
  HostileServer smtp(
      net,
      [&](Peer& p) {
        p.send("220 mx.hostile.test ESMTP\r\n");
        p.expect("EHLO localhost");
        mv::request_interrupt(SIGINT);  // and never answer
      },
      k.pki.cert_file, k.pki.key_file);
  mv::RunConfig c = smtp_config(k.pki.ca_file, smtp.port(), TlsMode::implicit);
  c.timeouts.idle = 5000;
  const Timed t = run_scripted(net, c, {&smtp});
  INFO(describe(t));
  CHECK(t.error().category == Category::interrupted);
  CHECK(t.error().fix.find("no test message was accepted") != std::string::npos);
  CHECK_FALSE(smtp.wire().saw("AUTH"));
  CHECK(t.ms == 0);  // at once: the reply it waited for would have taken the idle 5 s
}

TEST_CASE("interrupt: POP3 ends after the visit under way, without another one") {
  Pki k;
  MemoryNet net;
  InterruptScope scope;
  HostileServer pop3(
      net,
      [&](Peer& p) {
        p.send("+OK hostile POP3 ready\r\n");
        p.expect("CAPA");
        p.send("+OK\r\nSASL PLAIN\r\n.\r\n");
        p.expect("AUTH PLAIN ");
        p.send("+OK logged in\r\n");
        p.expect("STAT");
        mv::request_interrupt(SIGINT);
        p.send("+OK 0 0\r\n");
        p.expect("QUIT");
        p.send("+OK bye\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  mv::RunConfig c =
      incoming_config(k.pki.ca_file, pop3.port(), mv::Receive::pop3, TlsMode::implicit);
  c.delivery_timeout = 10'000;
  const Timed t = run_scripted(net, c, {&pop3});
  INFO(describe(t));
  CHECK(t.error().category == Category::interrupted);
  CHECK(t.error().step == "pop3.arrival");
  CHECK(t.ms == 0);  // at once: the first visit, no second one after a poll gap
}

TEST_CASE("interrupt: --accounts runs not started yet end at once as interrupted") {
  InterruptScope scope;
  mv::request_interrupt(SIGINT);
  mv::RunConfig c = base_config("/nonexistent-ca.pem");  // never read: the run ends first
  c.smtp.endpoint = local_endpoint(9, TlsMode::implicit);
  const std::vector<mv::RunResult> results = mv::run_many({c, c}, 1);
  REQUIRE(results.size() == 2);
  for (const mv::RunResult& r : results)
    CHECK(r.report.error.category == Category::interrupted);
}
