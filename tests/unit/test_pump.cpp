// SPDX-License-Identifier: Apache-2.0
// engine/pump: the one loop's contract for plans, without sessions: a timed wait ends at its time,
// a wait ends as soon as another plan makes its predicate true, a wait with nothing left that
// could change its predicate ends at once (a plan never hangs), and plans spawned by plans run.
// On a virtual clock (tests/support/virtual_time.hpp) the times are exact and take no real time;
// one case keeps the system clock as a smoke test. Sessions on the pump are exercised by the
// hostile suite and the integration tests.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/clock.hpp"
#include "engine/pump.hpp"
#include "tests/support/virtual_time.hpp"

namespace mv {

namespace {

// Ends the whole test binary with a message if its scope is still running after `limit`: a test of
// "does not hang" then fails in seconds when it does hang, instead of at ctest's timeout. The
// stuck code cannot be stopped from outside, so the process ends (std::_Exit, no cleanup).
class Watchdog {
 public:
  Watchdog(const char* what, std::chrono::seconds limit)
      : thread_([this, what, limit] {
          std::unique_lock lock(mutex_);
          if (done_cv_.wait_for(lock, limit, [this] { return done_; })) return;
          std::fflush(stdout);  // what the test runner has written so far
          std::fprintf(stderr, "FAIL %s: still running after %lld s, it hangs\n", what,
                       static_cast<long long>(limit.count()));
          std::_Exit(1);
        }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      const std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;  // last: it starts once the members above exist
};

struct Seen {
  bool result = true;
  Millis at = -1;
};

Task<void> wait_until_time(Pump& pump, Millis until, Seen& seen) {
  seen.result = co_await pump.until([] { return false; }, until);
  seen.at = pump.now();
}

Task<void> wait_for_flag(Pump& pump, const bool& flag, Millis until, Seen& seen) {
  seen.result = co_await pump.until([&] { return flag; }, until);
  seen.at = pump.now();
}

Task<void> set_flag_later(Pump& pump, Millis after, bool& flag) {
  co_await pump.until([] { return false; }, pump.now() + after);
  flag = true;
}

Task<void> wait_on_nothing(Pump& pump, Seen& seen) {
  seen.result = co_await pump.until([] { return false; });
  seen.at = pump.now();
}

Task<void> child(std::vector<int>& order, int id) {
  order.push_back(id);
  co_return;
}

Task<void> parent(Pump& pump, std::vector<int>& order) {
  order.push_back(1);
  pump.spawn(child(order, 2));
  co_await pump.until([&] { return order.size() == 2; }, pump.now() + 5000);
  order.push_back(3);
}

}  // namespace

TEST_CASE("pump/a timed wait ends at its time, with the predicate's value") {
  test::VirtualTime time;
  Pump pump(time, time);
  Seen seen;
  const Millis start = pump.now();
  pump.spawn(wait_until_time(pump, start + 30, seen));
  pump.run();
  CHECK_FALSE(seen.result);
  CHECK(seen.at == start + 30);
  CHECK(time.idle_waits() == 1);  // one wait, for exactly the time asked
}

TEST_CASE("pump/a timed wait on the system clock ends at its time (smoke)") {
  Pump pump;
  Seen seen;
  const Millis start = pump.now();
  pump.spawn(wait_until_time(pump, start + 30, seen));
  pump.run();
  CHECK_FALSE(seen.result);
  CHECK(seen.at - start >= 30);
}

TEST_CASE("pump/an hour's wait on a virtual clock ends at its time, in 60 s steps") {
  test::VirtualTime time;
  Pump pump(time, time);
  Seen seen;
  const Millis start = pump.now();
  pump.spawn(wait_until_time(pump, start + 3'600'000, seen));
  pump.run();
  CHECK(seen.at == start + 3'600'000);
  CHECK(time.idle_waits() == 60);  // the loop never sleeps longer than a minute at a time
}

TEST_CASE("pump/a wait ends as soon as another plan makes its predicate true") {
  test::VirtualTime time;
  Pump pump(time, time);
  bool flag = false;
  Seen seen;
  const Millis start = pump.now();
  pump.spawn(wait_for_flag(pump, flag, start + 5000, seen));
  pump.spawn(set_flag_later(pump, 20, flag));
  pump.run();
  CHECK(seen.result);
  CHECK(seen.at == start + 20);  // not at its own time limit
}

TEST_CASE("pump/a wait that nothing can end any more ends at once instead of hanging") {
  test::VirtualTime time;
  Pump pump(time, time);
  Seen seen;
  const Millis start = pump.now();
  pump.spawn(wait_on_nothing(pump, seen));
  {
    const Watchdog watchdog("pump/a wait that nothing can end any more: Pump::run()",
                            std::chrono::seconds(5));
    pump.run();  // returns: no session of the plan is alive, no time to wait for
  }
  CHECK_FALSE(seen.result);
  CHECK(seen.at == start);
  CHECK(time.idle_waits() == 0);  // it did not wait at all
}

TEST_CASE("pump/plans spawned by a plan run, and run() returns when every plan is done") {
  Pump pump;
  std::vector<int> order;
  pump.spawn(parent(pump, order));
  pump.run();
  CHECK(order == std::vector<int>{1, 2, 3});
}

}  // namespace mv
