// The one loop that drives every open session: a single poll() over their descriptors with the
// earliest deadline as its timeout, so an IMAP session can wait for a message while SMTP sends,
// without threads. No fixed sleeps: the loop wakes on bytes, on writability or on a deadline.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "engine/session.hpp"

namespace mv {

class Pump {
 public:
  void add(Session& session) { sessions_.push_back(&session); }
  void remove(Session& session);

  // Runs until stop() is true, until the time `until` (when given) has come, or until no session
  // can make progress (all finished). Returns stop()'s last value. Every session keeps its own
  // deadlines, so this never hangs.
  bool run_until(const std::function<bool()>& stop, std::optional<Millis> until = std::nullopt);

 private:
  std::vector<Session*> sessions_;
};

}  // namespace mv
