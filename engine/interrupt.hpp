// SPDX-License-Identifier: Apache-2.0
// A request from outside the loop to end the runs early: the tool's SIGINT/SIGTERM handler calls
// request_interrupt(). Plans check interrupted() at their waits, stop waiting for the message,
// remove it if it is already in the mailbox, log out and report "interrupted"; nothing else is
// cut short. Process-wide, like the signals it serves.
// Promises: request_interrupt() is async-signal-safe; once armed, a request wakes the pump's
// poll() at once (a self-pipe), also when it comes just before poll() is entered.
#pragma once

namespace mv {

// Creates the wake-up pipe. Call once, before a handler may call request_interrupt(); false when
// the pipe cannot be made (a request then still ends poll() by EINTR, just not one that comes
// right before it).
bool arm_interrupts();

// Records the signal (the first one wins) and wakes the pump. Async-signal-safe.
void request_interrupt(int signo) noexcept;

// What request_interrupt() is given, and interrupt_signal() says, when the run's overall deadline
// (the tool's -t) stopped it rather than a signal: the same clean stop, reported as a timeout.
inline constexpr int kDeadlineReached = -1;

// The signal that asked to stop, 0 when none did.
int interrupt_signal() noexcept;
inline bool interrupted() noexcept {
  return interrupt_signal() != 0;
}

// For the pump: the pipe's read end (-1 when not armed), and emptying it once woken.
int interrupt_fd() noexcept;
void drain_interrupt_fd() noexcept;

// Forgets a request (tests run many plans in one process).
void reset_interrupt() noexcept;

}  // namespace mv
