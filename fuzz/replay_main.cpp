// SPDX-License-Identifier: Apache-2.0
// Replays corpus files through LLVMFuzzerTestOneInput without libFuzzer, so every corpus file is a
// ctest regression in the default build (any compiler). Arguments are files or directories (every
// regular file inside, sorted, not recursive). Fails when nothing was replayed: an empty or
// missing corpus is a mistake, not a pass. An invariant failure aborts inside the target.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", file.string().c_str());
    return false;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay %s (%zu bytes)\n", file.string().c_str(), bytes.size());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t replayed = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (replay(f))
          ++replayed;
        else
          ok = false;
      }
    } else if (replay(arg)) {
      ++replayed;
    } else {
      ok = false;
    }
  }
  std::fprintf(stderr, "%zu input(s) replayed\n", replayed);
  return ok && replayed > 0 ? 0 : 1;
}
