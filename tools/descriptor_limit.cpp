// SPDX-License-Identifier: Apache-2.0
#include "tools/descriptor_limit.hpp"

#include <sys/resource.h>

namespace mv::tool {

namespace {
constexpr std::size_t kPerAccount = 8;  // 4 connections, 3 probes, 1 lookup
constexpr std::size_t kMargin = 32;     // stdio, the wake-up pipe, traces, the resolver's files
}  // namespace

std::size_t descriptors_needed(std::size_t concurrent) {
  return concurrent * kPerAccount + kMargin;
}

std::string ensure_descriptors(std::size_t concurrent) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};  // unknown: let the run try
  if (limit.rlim_cur != limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  const std::size_t needed = descriptors_needed(concurrent);
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return {};
  return "--concurrency " + std::to_string(concurrent) + " needs up to " + std::to_string(needed) +
         " open files, but the limit is " + std::to_string(limit.rlim_cur) +
         " (raise it with ulimit -n or LimitNOFILE=, or lower --concurrency to " +
         std::to_string(limit.rlim_cur > kMargin ? (limit.rlim_cur - kMargin) / kPerAccount : 0) +
         ")";
}

}  // namespace mv::tool
