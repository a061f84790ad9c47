// SPDX-License-Identifier: Apache-2.0
// The integration tests need the local mail stack. Without it they do not fail: the binary says
// why and exits with kSkipExitCode, which ctest reports as skipped (SKIP_RETURN_CODE in
// tests/CMakeLists.txt). scripts/test.sh starts the stack and runs them all.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/integration/stack.hpp"

namespace {
constexpr int kSkipExitCode = 77;  // the Automake convention for "skipped"
}

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  // Listing the tests needs no stack.
  if (!context.shouldExit()) {
    if (const std::string why = mv::test::stack_unavailable(); !why.empty()) {
      std::printf(
          "SKIPPED: the integration tests need the local mail stack (%s); start it with "
          "tests/mailstack/mailstack.sh start, or run scripts/test.sh\n",
          why.c_str());
      return kSkipExitCode;
    }
  }
  return context.run();
}
