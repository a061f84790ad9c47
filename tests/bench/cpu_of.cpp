// SPDX-License-Identifier: Apache-2.0
// cpu_of FILE COMMAND [ARGS...]: runs COMMAND, waits for it, and appends one line
// "<user µs> <system µs>" to FILE: the CPU time wait4() reports for that child, which includes
// every descendant the child itself waited for (e.g. the shell msmtp runs for --passwordeval).
// Exits with the child's status. The wrapper's own CPU is not counted; it is a fork + exec, so
// it adds well under a millisecond of wall time, unlike a Python wrapper (~20 ms per start),
// which would slow polling peers and so change how many polls they make.
// Used by tests/bench/run.sh (table 7); GNU time's %U/%S only resolve 10 ms.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: cpu_of FILE COMMAND [ARGS...]\n");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("cpu_of: fork");
    return 127;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    std::fprintf(stderr, "cpu_of: %s: %s\n", argv[2], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      std::perror("cpu_of: wait4");
      return 127;
    }
  }
  auto us = [](const timeval& tv) {
    return static_cast<long long>(tv.tv_sec) * 1000000 + tv.tv_usec;
  };
  if (std::FILE* f = std::fopen(argv[1], "a")) {
    std::fprintf(f, "%lld %lld\n", us(ru.ru_utime), us(ru.ru_stime));
    std::fclose(f);
  } else {
    std::fprintf(stderr, "cpu_of: %s: %s\n", argv[1], std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
