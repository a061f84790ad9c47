// SPDX-License-Identifier: Apache-2.0
// Runs several tasks at once in the loop (engine/pump.hpp) and waits for all of them, or for the
// time `until`, whichever comes first: the DNS queries of one discovery source, the sources of the
// discovery plan. Each task runs as a plan of its own; its result lands in the slot of its index
// (nullopt when it had not ended by then).
// Promise and duty: the tasks must end by `until` themselves (every wait in them bounded by it),
// and what they refer to must live until the pump's run() returns; the shared slots keep a task
// that overran from writing into freed memory.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "engine/pump.hpp"
#include "engine/task.hpp"

namespace mv {

namespace detail {

template <typename T>
struct Gathered {
  std::vector<std::optional<T>> results;
  std::size_t left = 0;
};

template <typename T>
Task<void> run_into(std::shared_ptr<Gathered<T>> state, std::size_t index, Task<T> task) {
  state->results[index] = co_await task;
  --state->left;
}

}  // namespace detail

template <typename T>
Task<std::vector<std::optional<T>>> concurrently(Pump& pump, std::vector<Task<T>> tasks,
                                                 Millis until) {
  auto state = std::make_shared<detail::Gathered<T>>();
  state->results.resize(tasks.size());
  state->left = tasks.size();
  for (std::size_t i = 0; i < tasks.size(); ++i)
    pump.spawn(detail::run_into<T>(state, i, std::move(tasks[i])));
  // A little past `until`: tasks that end exactly then still deliver their results.
  constexpr Millis kGrace = 50;
  // The predicate holds a plain pointer (the frame's `state` keeps it alive): a lambda holding a
  // shared_ptr makes the std::function allocate, and GCC 12 destroys the awaiter temporary of a
  // co_await twice (measured: a double release under valgrind), which is harmless only for a
  // trivially copyable callable that std::function keeps inline.
  const detail::Gathered<T>* gathered = state.get();
  co_await pump.until([gathered] { return gathered->left == 0; }, until + kGrace);
  co_return state->results;
}

}  // namespace mv
