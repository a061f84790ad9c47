// SPDX-License-Identifier: Apache-2.0
// mailverify: the engine of verify-roundtrip as a library. Proves end to end that a mail account's
// settings work: logs in over SMTP, sends a uniquely tagged message to the account itself, reads
// it back over IMAP or POP3, checks read-state sync and folder mapping, removes only what it sent,
// and on failure names the one likely cause and its fix.
//
//   #include <mailverify/mailverify.hpp>
//
//   mv::RunConfig config;                        // 1. configure a run (engine/run.hpp)
//   config.email = "me@example.org";
//   config.smtp.endpoint = {"smtp.example.org", 587, mv::TlsMode::starttls};
//   config.smtp.credentials = mv::Credentials{"me@example.org", password};
//   config.incoming.endpoint = {"imap.example.org", 993, mv::TlsMode::implicit};
//   config.incoming.credentials = config.smtp.credentials;
//   mv::RunResult result = mv::run(config);      // 2. run it (or mv::run_many for several)
//   if (!result.report.ok()) {                   // 3. the typed result and its diagnosis
//     const mv::Error& e = result.report.error;  //    category, stable code, server's words,
//     std::printf("%s: %s\n", e.cause.c_str(), e.fix.c_str());  // cause and fix
//   }
//
// Link mailverify::engine (CMake: find_package(mailverify CONFIG)) or `pkg-config --libs
// mailverify`; C++20. examples/roundtrip/ is a complete program.
//
// What a run promises: certificates are verified unless config.tls.verify is false; credentials
// are never sent before TLS unless config.allow_plaintext; every read has a deadline
// (config.timeouts, config.delivery_timeout), so run() always returns; secrets never appear in
// the report, the errors or the trace. Nothing throws: the engine builds without exceptions and
// reports every failure in RunResult::report.error (Category, code, detail, server_says, step,
// cause, fix).
//
// Threads and global state (the rules a program embedding the engine must keep):
// - mv::run() and mv::run_many() block the calling thread until the run ends and drive every
//   session on one poll() loop on that thread. To check several accounts at once, give them all
//   to one run_many() (one loop, no threads of yours needed) rather than calling run() from
//   several threads.
// - Call them from one thread at a time: the process-wide name cache below is not locked.
// - Name cache (tls/address_cache.hpp, shared_address_cache()): host names are resolved with
//   getaddrinfo on short-lived detached threads of the engine's own (hence Threads::Threads /
//   -pthread), and an answer, once found, is kept for the life of the process and reused by
//   every later run. A long-lived
//   process that must notice DNS changes between checks should run each check in a process of
//   its own (as verify-roundtrip does).
// - Interrupt flag (engine/interrupt.hpp): process-wide. After mv::arm_interrupts(), a signal
//   handler may call mv::request_interrupt(signo) (async-signal-safe); every run in the process
//   then stops waiting, removes its message if it arrived, logs out and reports
//   Category::interrupted. mv::reset_interrupt() clears it before the next run.
// - The engine installs no signal handlers and writes nothing to stdout or stderr; the trace
//   file (config.trace_path) and the progress callback (config.on_progress, called on the
//   run's thread) are the only output. Sockets are written with MSG_NOSIGNAL: a peer that
//   closes is an error in the report, never a SIGPIPE.
#pragma once

#include "core/error.hpp"
#include "engine/diagnosis.hpp"
#include "engine/interrupt.hpp"
#include "engine/report.hpp"
#include "engine/run.hpp"
