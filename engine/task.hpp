// SPDX-License-Identifier: Apache-2.0
// Task<T>: the coroutine type of the engine's plans, so one Pump can run several plans at once.
// A plan is written as straight-line code (`co_await pump.until(...)`, `co_await helper()`), and
// every wait suspends it instead of blocking the loop.
//
// Promises:
// - Lazy: calling a Task coroutine only creates its frame; it runs when awaited (or when the Pump
//   starts it as a top-level task, see Pump::spawn).
// - Awaiting a Task resumes it by symmetric transfer, and its end transfers straight back to the
//   awaiter, so chains of nested helpers neither grow the stack nor go through the loop.
// - The result is kept in the promise until the awaiter takes it.
// - No exceptions in the engine (-fno-exceptions): unhandled_exception() aborts.
// - The Task owns its frame: destroying the Task destroys the frame (and the locals in it).
#pragma once

#include <coroutine>
#include <cstdlib>
#include <optional>
#include <utility>

namespace mv {

template <typename T = void>
class Task;

namespace detail {

// What every Task promise shares: lazy start, and at the end, control goes back to whoever
// awaited the task (or to the loop, for a top-level task: noop_coroutine).
struct TaskPromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <typename Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> done) const noexcept {
      return done.promise().continuation;
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  [[noreturn]] void unhandled_exception() const noexcept { std::abort(); }
};

template <typename T>
struct TaskPromise : TaskPromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() { return std::move(*value); }
};

template <>
struct TaskPromise<void> : TaskPromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const noexcept {}
};

}  // namespace detail

template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::TaskPromise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) noexcept : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  bool done() const { return !handle_ || handle_.done(); }

  // For the loop only: runs a top-level task until its first suspension (or its end).
  void start() {
    Handle h = handle_;  // the Task may move (its owner's vector grow) while h runs
    h.resume();
  }

  // Awaiting: start the task and let it resume us when it ends.
  bool await_ready() const noexcept { return done(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    handle_.promise().continuation = awaiting;
    return handle_;
  }
  T await_resume() { return handle_.promise().take(); }

 private:
  Handle handle_;
};

namespace detail {

template <typename T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}

inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

}  // namespace detail

}  // namespace mv
