// SPDX-License-Identifier: Apache-2.0
// mv_gen_completions DIR: writes verify-roundtrip.bash, _verify-roundtrip (zsh) and
// verify-roundtrip.fish into DIR, from the option table (tools/completions.hpp). Run by the
// build; not installed.
#include <cstdio>
#include <string>

#include "tools/completions.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const struct {
    const char* file;
    mv::tool::Shell shell;
  } outputs[] = {{"verify-roundtrip.bash", mv::tool::Shell::bash},
                 {"_verify-roundtrip", mv::tool::Shell::zsh},
                 {"verify-roundtrip.fish", mv::tool::Shell::fish}};
  for (const auto& out : outputs) {
    const std::string path = dir + "/" + out.file;
    const std::string text = mv::tool::completion_script(out.shell);
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f) != 0) {
      std::fprintf(stderr, "mv_gen_completions: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
