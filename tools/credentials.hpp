// Where the secret comes from: an environment variable, a file, a prompt without echo (only on a
// terminal), or the command line (works, but warns: other users can read it from the process
// list). The secret is returned to the caller and never printed.
#pragma once

#include <optional>
#include <string>

namespace mv::tool {

struct SecretSources {
  std::string env_var;                 // --password-env / --oauth2-token-env
  std::string file;                    // --password-file
  std::optional<std::string> literal;  // --password (warns)
  bool allow_prompt = true;
  std::string prompt;  // "Password for alice@example.com: "
};

struct SecretResult {
  std::optional<std::string> secret;  // nullopt: none given and no terminal to ask
  std::string error;                  // non-empty: a source was named but failed
  std::string warning;                // e.g. the command-line warning
};

SecretResult read_secret(const SecretSources& sources);

}  // namespace mv::tool
