// engine/pump: the one loop's contract for plans, without sessions: a timed wait ends at its time,
// a wait ends as soon as another plan makes its predicate true, a wait with nothing left that
// could change its predicate ends at once (a plan never hangs), and plans spawned by plans run.
// Sessions on the pump are exercised by the hostile suite and the integration tests.
#include <doctest/doctest.h>

#include <vector>

#include "engine/clock.hpp"
#include "engine/pump.hpp"

namespace mv {

namespace {

struct Seen {
  bool result = true;
  Millis at = -1;
};

Task<void> wait_until_time(Pump& pump, Millis until, Seen& seen) {
  seen.result = co_await pump.until([] { return false; }, until);
  seen.at = monotonic_ms();
}

Task<void> wait_for_flag(Pump& pump, const bool& flag, Millis until, Seen& seen) {
  seen.result = co_await pump.until([&] { return flag; }, until);
  seen.at = monotonic_ms();
}

Task<void> set_flag_later(Pump& pump, Millis after, bool& flag) {
  co_await pump.until([] { return false; }, monotonic_ms() + after);
  flag = true;
}

Task<void> wait_on_nothing(Pump& pump, Seen& seen) {
  seen.result = co_await pump.until([] { return false; });
  seen.at = monotonic_ms();
}

Task<void> child(std::vector<int>& order, int id) {
  order.push_back(id);
  co_return;
}

Task<void> parent(Pump& pump, std::vector<int>& order) {
  order.push_back(1);
  pump.spawn(child(order, 2));
  co_await pump.until([&] { return order.size() == 2; }, monotonic_ms() + 5000);
  order.push_back(3);
}

}  // namespace

TEST_CASE("pump/a timed wait ends at its time, with the predicate's value") {
  Pump pump;
  Seen seen;
  const Millis start = monotonic_ms();
  pump.spawn(wait_until_time(pump, start + 30, seen));
  pump.run();
  CHECK_FALSE(seen.result);
  CHECK(seen.at - start >= 30);
  CHECK(seen.at - start < 2000);  // it did not wait for anything else
}

TEST_CASE("pump/a wait ends as soon as another plan makes its predicate true") {
  Pump pump;
  bool flag = false;
  Seen seen;
  const Millis start = monotonic_ms();
  pump.spawn(wait_for_flag(pump, flag, start + 5000, seen));
  pump.spawn(set_flag_later(pump, 20, flag));
  pump.run();
  CHECK(seen.result);
  CHECK(seen.at - start >= 20);
  CHECK(seen.at - start < 2000);  // long before its own time limit
}

TEST_CASE("pump/a wait that nothing can end any more ends at once instead of hanging") {
  Pump pump;
  Seen seen;
  const Millis start = monotonic_ms();
  pump.spawn(wait_on_nothing(pump, seen));
  pump.run();  // returns: no session of the plan is alive, no time to wait for
  CHECK_FALSE(seen.result);
  CHECK(seen.at - start < 1000);
}

TEST_CASE("pump/plans spawned by a plan run, and run() returns when every plan is done") {
  Pump pump;
  std::vector<int> order;
  pump.spawn(parent(pump, order));
  pump.run();
  CHECK(order == std::vector<int>{1, 2, 3});
}

}  // namespace mv
