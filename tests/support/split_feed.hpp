// SPDX-License-Identifier: Apache-2.0
// Habit 6 of DESIGN.md: every parser input is also fed at every split point and byte by byte, and
// must give the same result. for_each_split calls run(chunks) for the whole input, for each
// two-way split, and for the one-byte-at-a-time split; the caller compares the results.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mv::test {

inline std::vector<std::vector<std::string_view>> all_splits(std::string_view input) {
  std::vector<std::vector<std::string_view>> out;
  out.push_back({input});
  for (std::size_t cut = 1; cut < input.size(); ++cut) {
    out.push_back({input.substr(0, cut), input.substr(cut)});
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i)
    bytes.push_back(input.substr(i, 1));
  out.push_back(bytes);
  return out;
}

// Runs produce(chunks) for every split and returns the result of the whole-input run after
// checking (via the equal callback, typically a doctest CHECK) that every split gave the same.
template <typename Result>
Result same_for_every_split(
    std::string_view input,
    const std::function<Result(const std::vector<std::string_view>&)>& produce,
    const std::function<void(const Result& whole, const Result& split, std::size_t split_index)>&
        compare) {
  auto splits = all_splits(input);
  Result whole = produce(splits.front());
  for (std::size_t i = 1; i < splits.size(); ++i)
    compare(whole, produce(splits[i]), i);
  return whole;
}

}  // namespace mv::test
