// SPDX-License-Identifier: Apache-2.0
#include "tools/verdict.hpp"

namespace mv::tool {

std::string verdict_text(const RunConfig& config, const RunResult& result) {
  std::string verdict;
  if (config.stop_after != StopAfter::nothing) {
    verdict = "dry run: nothing was sent";
  } else if (!config.send) {
    verdict = "mailbox reachable and logged in";
  } else if (!config.read_back) {
    verdict = "message accepted by the server";
    if (!result.queue_id.empty()) verdict += " (queued as " + result.queue_id + ")";
  } else {
    verdict = "round trip complete";
    if (result.delivery_ms)
      verdict += ", delivered in " + std::to_string(static_cast<long>(*result.delivery_ms)) + " ms";
  }
  if (!result.token.empty()) verdict += ", token " + result.token;
  return verdict;
}

}  // namespace mv::tool
