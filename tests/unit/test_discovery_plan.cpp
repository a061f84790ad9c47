// SPDX-License-Identifier: Apache-2.0
// engine/discovery's plan on virtual time: every source runs at once (the plan takes as long as
// the slowest, not the sum), each outcome is kept in the order given, and the candidates of all
// are ranked together.
#include <doctest/doctest.h>

#include "engine/discovery.hpp"
#include "tests/support/virtual_time.hpp"

namespace {

using namespace mv;

// A source that answers after `after` ms of loop time with one candidate (or nothing).
Task<SourceOutcome> timed_source(Pump& pump, SettingsSource source, Millis after,
                                 std::optional<SettingsCandidate> found) {
  const Millis at = pump.now() + after;
  co_await pump.until([] { return false; }, at);
  SourceOutcome out;
  out.source = source;
  if (found) {
    out.status = SourceStatus::found;
    out.candidates.push_back(*found);
  }
  co_return out;
}

Task<void> run_plan(Pump& pump, const std::vector<PlannedSource>& sources, Millis deadline,
                    DiscoveryResult& into) {
  // Named arguments: GCC 12 rejects a string literal passed straight to a coroutine inside a
  // co_await ("array used as initializer").
  std::string domain = "example.test";
  into = co_await discover(pump, std::move(domain), sources, deadline);
}

}  // namespace

TEST_CASE("discovery plan/sources run at once; outcomes in order; candidates ranked together") {
  test::VirtualTime time;
  Pump pump(time, time);
  SettingsCandidate srv;
  srv.role = ServerRole::imap;
  srv.host = "imap.example.test";
  srv.port = 993;
  srv.source = SettingsSource::srv;
  SettingsCandidate preset = srv;
  preset.host = "imap.preset.test";
  preset.source = SettingsSource::preset;
  preset.identity_trusted = true;
  const std::vector<PlannedSource> sources{
      {SettingsSource::srv, "slow",
       [&](Millis) { return timed_source(pump, SettingsSource::srv, 3'000, srv); }},
      {SettingsSource::preset, "fast",
       [&](Millis) { return timed_source(pump, SettingsSource::preset, 1'000, preset); }},
      {SettingsSource::autodiscover, "none", [&](Millis) {
         return timed_source(pump, SettingsSource::autodiscover, 2'000, std::nullopt);
       }}};
  DiscoveryResult result;
  const Millis start = time.now();
  pump.spawn(run_plan(pump, sources, start + 10'000, result));
  pump.run();
  CHECK(time.now() - start == 3'000);  // the slowest, not 1 + 2 + 3 s
  REQUIRE(result.outcomes.size() == 3);
  CHECK(result.outcomes[0].source == SettingsSource::srv);
  CHECK(result.outcomes[2].status == SourceStatus::nothing);
  REQUIRE(result.ranked.size() == 2);
  CHECK(result.ranked[0].candidate.host == "imap.preset.test");  // the preset ranks first
  REQUIRE(result.best(ServerRole::imap) != nullptr);
  CHECK(result.best(ServerRole::smtp) == nullptr);
}

TEST_CASE("discovery plan/a source not ended by the deadline is failed, named by its origin") {
  test::VirtualTime time;
  Pump pump(time, time);
  const std::vector<PlannedSource> sources{
      {SettingsSource::autodiscover,
       "https://autodiscover.example.test/autodiscover/autodiscover.xml", [&](Millis) {
         return timed_source(pump, SettingsSource::autodiscover, 5'000, std::nullopt);
       }}};
  DiscoveryResult result;
  pump.spawn(run_plan(pump, sources, time.now() + 2'000, result));
  pump.run();
  REQUIRE(result.outcomes.size() == 1);
  CHECK(result.outcomes[0].source == SettingsSource::autodiscover);
  CHECK(result.outcomes[0].origin ==
        "https://autodiscover.example.test/autodiscover/autodiscover.xml");
  CHECK(result.outcomes[0].status == SourceStatus::failed);
  CHECK(result.outcomes[0].detail == "no answer before the deadline");
}
