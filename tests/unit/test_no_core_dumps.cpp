// SPDX-License-Identifier: Apache-2.0
// forbid_core_dumps() in a child process (the test runner itself stays dumpable: LeakSanitizer
// attaches to it with ptrace at exit).
#include <doctest/doctest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/no_core_dumps.hpp"

namespace mv::tool {

TEST_CASE("no_core_dumps: the process is not dumpable and its core limit is 0") {
  REQUIRE(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1);  // the default this changes
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // 1: refused, 2: still dumpable, 3: a core limit left; only async-signal-safe calls here.
    if (!forbid_core_dumps()) ::_exit(1);
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) ::_exit(2);
    rlimit core{};
    if (::getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0 || core.rlim_max != 0)
      ::_exit(3);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace mv::tool
