// SPDX-License-Identifier: Apache-2.0
// Where a secret comes from: an environment variable, a file, a command (its first line of
// output), the command line (works, but warns: other users can read it from the process list), or
// a prompt without echo (only on a terminal). The secret is returned to the caller and never
// printed: errors name the source (the variable, the file, the command) but never its content.
#pragma once

#include <optional>
#include <string>

#include "core/limits.hpp"

namespace mv::tool {

struct SecretSources {
  std::string option;                  // the option that named the source, for messages
  std::string env_var;                 // --password-env / --oauth2-token-env
  std::string file;                    // --password-file
  std::string command;                 // --password-cmd / --oauth2-token-cmd (/bin/sh -c)
  std::optional<std::string> literal;  // --password (warns)
  bool allow_prompt = true;
  std::string prompt;  // "Password for alice@example.com: "

  bool named() const { return !env_var.empty() || !file.empty() || !command.empty() || literal; }
};

struct SecretResult {
  std::optional<std::string> secret;  // nullopt: none given and no terminal to ask
  std::string error;                  // non-empty: a source was named but failed
  std::string warning;                // e.g. the command-line warning
};

// A secret longer than limits.max_secret is an error naming its source (a typed one is cut there).
SecretResult read_secret(const SecretSources& sources, const Limits& limits = kDefaultLimits);

// Runs the command through /bin/sh -c (stdin and stderr inherited) and takes the first line of its
// standard output. A non-zero exit, a signal, an empty first line or one longer than
// limits.max_secret is an error naming the command.
SecretResult secret_from_command(const std::string& option, const std::string& command,
                                 const Limits& limits = kDefaultLimits);

}  // namespace mv::tool
