// SPDX-License-Identifier: Apache-2.0
#include "tools/stop_signals.hpp"

#include <unistd.h>

#include <csignal>

#include "engine/interrupt.hpp"

namespace mv::tool {

namespace {

bool g_stderr_tty = false;

extern "C" void on_stop_signal(int signo) {
  if (g_stderr_tty) {  // write(2) is async-signal-safe; a progress line is overwritten
    static const char kNote[] = "\r\033[K  … interrupted: finishing up (again to quit at once)\n";
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, kNote, sizeof kNote - 1);
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGINT, &dfl, nullptr);
  sigaction(SIGTERM, &dfl, nullptr);
  request_interrupt(signo);
}

}  // namespace

void catch_stop_signals() {
  g_stderr_tty = ::isatty(STDERR_FILENO) == 1;
  arm_interrupts();
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // writes to stdout resume; the loop's poll() wakes by the pipe
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace mv::tool
