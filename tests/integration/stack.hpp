// SPDX-License-Identifier: Apache-2.0
// What the integration tests need from the real local mail stack (tests/mailstack/mailstack.sh):
// its ports, users and CA from the env file it writes, a way to run the real verify-roundtrip
// binary and capture everything it prints, and a look into the delivered Maildir files.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mv::test {

struct Stack {
  std::map<std::string, std::string> env;  // MAILSTACK_* from $MAILSTACK_DIR/env
  const std::string& get(const std::string& key) const;
  std::string maildir(const std::string& address) const;  // .../<domain>/<local>
};

// The env file's settings, loaded once; empty when there is none (no stack ever started).
const Stack& stack_env();

// Why the integration tests cannot run: no stack was ever started, or its submission or IMAPS
// port does not answer. Empty when the stack is up.
std::string stack_unavailable();

// Loads the env file; fails the test (doctest REQUIRE) with a clear message when the stack is not
// running.
const Stack& stack();

struct ToolRun {
  int exit_code = -1;
  std::string out;           // stdout
  std::string err;           // stderr
  double first_out_ms = -1;  // when the first stdout byte arrived, ms after the start (-1: none)
  double end_ms = -1;        // when both pipes had closed
  std::string all() const { return out + err; }
};

// A signal for the running tool: signo, `after_ms` after the start (0: none).
struct ToolSignal {
  int signo = 0;
  double after_ms = 0;
};

// Runs verify-roundtrip with these arguments; extra_env adds NAME=VALUE pairs (e.g. a password).
ToolRun run_tool(const std::vector<std::string>& args,
                 const std::vector<std::string>& extra_env = {}, ToolSignal signal = {});

// The stack's server options for a full run: submission 587 with STARTTLS, IMAPS, its CA, and
// 10 s timeouts (no account, no secret).
std::vector<std::string> stack_server_args();

// The token printed in the verdict line (", token XXXX"), empty when none.
std::string printed_token(const ToolRun& run);

// Waits (bounded) for a delivered message whose header carries this token; returns its full text.
std::optional<std::string> wait_for_delivery(const std::string& address, const std::string& token,
                                             int timeout_ms = 5000);

}  // namespace mv::test
