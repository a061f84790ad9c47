// SPDX-License-Identifier: Apache-2.0
#include "tools/no_core_dumps.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace mv::tool {

bool forbid_core_dumps() {
  const rlimit none{0, 0};
  const bool limited = ::setrlimit(RLIMIT_CORE, &none) == 0;
  return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && limited;
}

}  // namespace mv::tool
