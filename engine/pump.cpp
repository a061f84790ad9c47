#include "engine/pump.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "engine/clock.hpp"

namespace mv {

void Pump::remove(Session& session) {
  sessions_.erase(std::remove(sessions_.begin(), sessions_.end(), &session), sessions_.end());
}

bool Pump::run_until(const std::function<bool()>& stop, std::optional<Millis> until) {
  std::vector<pollfd> fds;
  std::vector<Session*> polled;
  for (;;) {
    if (stop()) return true;
    Millis now = monotonic_ms();
    if (until && now >= *until) return false;
    // Sessions with work to do now (not yet started, decrypted bytes waiting) run first.
    bool ran = false;
    for (Session* s : sessions_) {
      if (!s->finished() && s->ready_now()) {
        s->on_poll(0, now);
        ran = true;
      }
    }
    if (ran) continue;

    fds.clear();
    polled.clear();
    Millis wake = -1;
    for (Session* s : sessions_) {
      if (s->finished()) continue;
      Millis d = s->next_deadline();
      if (wake < 0 || d < wake) wake = d;
      if (int fd = s->poll_fd(); fd >= 0) {
        fds.push_back({fd, s->poll_events(), 0});
        polled.push_back(s);
      }
    }
    if (until && (wake < 0 || *until < wake)) wake = *until;
    if (wake < 0) return stop();  // every session finished
    int timeout = static_cast<int>(std::clamp<Millis>(wake - now, 0, 60'000));
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n < 0 && errno != EINTR) return stop();
    now = monotonic_ms();
    for (std::size_t i = 0; i < polled.size(); ++i) {
      Session* s = polled[i];
      if (fds[i].revents != 0 || now >= s->next_deadline()) s->on_poll(fds[i].revents, now);
    }
    // Sessions without a descriptor only wait for their deadline.
    for (Session* s : sessions_) {
      if (!s->finished() && s->poll_fd() < 0 && now >= s->next_deadline()) s->on_poll(0, now);
    }
  }
}

}  // namespace mv
