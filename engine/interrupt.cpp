// SPDX-License-Identifier: Apache-2.0
#include "engine/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>

namespace mv {

namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_read_fd{-1};
std::atomic<int> g_write_fd{-1};

static_assert(std::atomic<int>::is_always_lock_free,
              "a signal handler may only use lock-free atomics");

}  // namespace

bool arm_interrupts() {
  if (g_read_fd.load() >= 0) return true;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  g_read_fd.store(fds[0]);
  g_write_fd.store(fds[1]);
  return true;
}

void request_interrupt(int signo) noexcept {
  int expected = 0;
  g_signal.compare_exchange_strong(expected, signo);
  if (int fd = g_write_fd.load(); fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);  // full pipe: already awake
  }
}

int interrupt_signal() noexcept {
  return g_signal.load();
}

int interrupt_fd() noexcept {
  return g_read_fd.load();
}

void drain_interrupt_fd() noexcept {
  const int fd = g_read_fd.load();
  if (fd < 0) return;
  char buf[64];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
}

void reset_interrupt() noexcept {
  drain_interrupt_fd();
  g_signal.store(0);
}

}  // namespace mv
