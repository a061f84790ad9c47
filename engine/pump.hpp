// SPDX-License-Identifier: Apache-2.0
// The one loop that drives every open session and every plan: a single poll() over the sessions'
// descriptors, with the earliest session deadline or plan wake-up as its timeout, so an IMAP
// session can wait for a message while SMTP sends, and many plans can run at once, without
// threads. No fixed sleeps: the loop wakes on bytes, on writability or on a deadline.
//
// Plans are coroutines (engine/task.hpp). A plan waits with `co_await pump.until(predicate, t)`;
// the loop resumes it once the predicate holds, once time t has come, or once none of the plan's
// own sessions can make progress any more (all finished), so a plan never hangs: every session
// keeps its own deadlines.
#pragma once

#include <coroutine>
#include <functional>
#include <optional>
#include <vector>

#include "engine/clock.hpp"
#include "engine/poller.hpp"
#include "engine/session.hpp"
#include "engine/task.hpp"
#include "engine/transport.hpp"

namespace mv {

class Pump {
 public:
  // The clock, the poller and the transport its sessions connect through are the loop's only
  // contact with time and the outside world: the system's in a run, virtual ones and memory in
  // tests.
  explicit Pump(Clock& clock = system_clock(), Poller& poller = system_poller(),
                Transport& transport = tcp_transport())
      : clock_(clock), poller_(poller), transport_(transport) {}
  Pump(const Pump&) = delete;
  Pump& operator=(const Pump&) = delete;
  ~Pump();

  // Sessions belong to the plan that adds them (for until()'s "nothing can make progress").
  // A session leaves the pump when removed or destroyed; a removed session is no longer driven.
  void add(Session& session);
  void remove(Session& session);

  // The awaitable of until(): its value is the predicate's last value.
  class Wait {
   public:
    bool await_ready();
    void await_suspend(std::coroutine_handle<> plan);
    bool await_resume() const { return result_; }
    Wait(const Wait&) = delete;  // the pump keeps its address while the plan waits
    Wait& operator=(const Wait&) = delete;

   private:
    friend class Pump;
    Wait(Pump& pump, std::function<bool()> ready, std::optional<Millis> until)
        : pump_(pump), ready_(std::move(ready)), until_(until) {}
    Pump& pump_;
    std::function<bool()> ready_;
    std::optional<Millis> until_;
    unsigned owner_ = 0;
    std::coroutine_handle<> plan_;
    bool result_ = false;
  };

  // Suspends the awaiting plan until ready() is true, until the time `until` (when given) has
  // come, or until none of the plan's sessions can make progress (all finished, and no `until`).
  // Give ready() references or plain pointers only: GCC 12 destroys a co_await's awaiter temporary
  // twice, harmless only for a callable std::function keeps inline (see engine/concurrently.hpp).
  Wait until(std::function<bool()> ready, std::optional<Millis> until = std::nullopt) {
    return Wait(*this, std::move(ready), until);
  }

  // The loop's time: plans measure and set their deadlines with it.
  Millis now() const { return clock_.now(); }
  const Clock& clock() const { return clock_; }
  // What the sessions of its plans connect through.
  Transport& transport() const { return transport_; }

  // A descriptor that is not a session's (a listening socket): while watched, the loop polls it
  // for `events` and calls on_ready(revents) when it is ready. A plan waiting for it must wait
  // with a time (until(..., t)), since a watch is no session that keeps a wait alive.
  void watch(int fd, short events, std::function<void(short)> on_ready);
  void unwatch(int fd);

  // A top-level plan; it starts at the next run().
  void spawn(Task<void> task);
  // Runs every spawned plan (and those they spawn) to its end.
  void run();

 private:
  struct Entry {
    Session* session;
    unsigned owner;
  };
  struct Plan {
    Task<void> task;
    unsigned id;
    bool started = false;
  };

  // Whether the wait is over at `now`; sets its result.
  bool over(Wait& wait, Millis now);
  bool has_live_session(unsigned owner) const;
  // Starts new plans and resumes every wait that is over, until none is; drops finished plans.
  void resume_settled();
  void resume(std::coroutine_handle<> plan, unsigned owner);

  Clock& clock_;
  Poller& poller_;
  Transport& transport_;
  struct Watch {
    int fd;
    short events;
    std::function<void(short)> on_ready;
  };

  std::vector<Entry> sessions_;
  std::vector<Watch> watches_;
  std::vector<Wait*> waits_;
  unsigned current_ = 0;  // the plan running now (0: none)
  unsigned next_id_ = 1;
  std::vector<Plan> plans_;  // last: destroying a plan's frame removes its sessions from above
};

}  // namespace mv
