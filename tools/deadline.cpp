// SPDX-License-Identifier: Apache-2.0
#include "tools/deadline.hpp"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "engine/interrupt.hpp"

namespace mv::tool {

namespace {

// Read by the signal handler: set once before the timer is armed, never changed afterwards.
std::string g_last_words;
int g_exit_code = 0;
timer_t g_timer{};
timespec g_hard_at{};  // CLOCK_MONOTONIC, absolute
volatile sig_atomic_t g_fired = 0;

timespec after(Millis ms) {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const long long ns = now.tv_nsec + (ms % 1000) * 1'000'000LL;
  return {now.tv_sec + static_cast<time_t>(ms / 1000 + ns / 1'000'000'000LL),
          static_cast<long>(ns % 1'000'000'000LL)};
}

extern "C" void on_deadline(int) {
  if (g_fired == 0) {  // the soft deadline: stop cleanly, and wake again at the hard one
    g_fired = 1;
    request_interrupt(kDeadlineReached);
    itimerspec hard{};
    hard.it_value = g_hard_at;
    ::timer_settime(g_timer, TIMER_ABSTIME, &hard, nullptr);  // async-signal-safe
    return;
  }
  const char* p = g_last_words.data();
  std::size_t left = g_last_words.size();
  while (left > 0) {
    const ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::_exit(g_exit_code);
}

}  // namespace

Millis deadline_reserve(Millis deadline) {
  return std::min<Millis>(deadline / 4, 2000);
}

bool arm_deadline(Millis deadline, std::string last_words, int exit_code) {
  g_last_words = std::move(last_words);
  g_exit_code = exit_code;
  arm_interrupts();
  struct sigaction sa {};
  sa.sa_handler = on_deadline;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  if (::sigaction(SIGALRM, &sa, nullptr) != 0) return false;
  sigevent ev{};
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGALRM;
  if (::timer_create(CLOCK_MONOTONIC, &ev, &g_timer) != 0) return false;
  g_hard_at = after(deadline);
  itimerspec soft{};
  soft.it_value = after(deadline - deadline_reserve(deadline));
  return ::timer_settime(g_timer, TIMER_ABSTIME, &soft, nullptr) == 0;
}

}  // namespace mv::tool
