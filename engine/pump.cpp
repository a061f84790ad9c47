// SPDX-License-Identifier: Apache-2.0
#include "engine/pump.hpp"

#include <algorithm>
#include <cerrno>

#include "engine/interrupt.hpp"

namespace mv {

Pump::~Pump() {
  plans_.clear();  // destroying an unfinished plan destroys its sessions, which leave sessions_
  for (Entry& e : sessions_)
    e.session->pump_ = nullptr;
}

void Pump::add(Session& session) {
  sessions_.push_back({&session, current_});
  session.pump_ = this;
}

void Pump::remove(Session& session) {
  std::erase_if(sessions_, [&](const Entry& e) { return e.session == &session; });
  session.pump_ = nullptr;
}

void Pump::watch(int fd, short events, std::function<void(short)> on_ready) {
  watches_.push_back({fd, events, std::move(on_ready)});
}

void Pump::unwatch(int fd) {
  std::erase_if(watches_, [&](const Watch& w) { return w.fd == fd; });
}

void Pump::spawn(Task<void> task) {
  plans_.push_back({std::move(task), next_id_++});
}

bool Pump::Wait::await_ready() {
  owner_ = pump_.current_;
  return pump_.over(*this, pump_.now());
}

void Pump::Wait::await_suspend(std::coroutine_handle<> plan) {
  plan_ = plan;
  pump_.waits_.push_back(this);
}

bool Pump::has_live_session(unsigned owner) const {
  return std::any_of(sessions_.begin(), sessions_.end(),
                     [&](const Entry& e) { return e.owner == owner && !e.session->finished(); });
}

bool Pump::over(Wait& wait, Millis now) {
  wait.result_ = wait.ready_();
  if (wait.result_) return true;
  if (wait.until_) return now >= *wait.until_;
  return !has_live_session(wait.owner_);  // nothing the plan waits on can change any more
}

void Pump::resume(std::coroutine_handle<> plan, unsigned owner) {
  current_ = owner;
  plan.resume();
  current_ = 0;
}

void Pump::resume_settled() {
  // A resumed plan may add sessions, plans and waits, or end: look again after each one.
  for (bool resumed = true; resumed;) {
    resumed = false;
    for (std::size_t i = 0; i < plans_.size(); ++i) {
      if (plans_[i].started) continue;
      plans_[i].started = true;
      current_ = plans_[i].id;
      plans_[i].task.start();  // may grow plans_: nothing of plans_[i] is used after this
      current_ = 0;
      resumed = true;
    }
    const Millis now = this->now();
    for (std::size_t i = 0; i < waits_.size(); ++i) {
      Wait* w = waits_[i];
      if (!over(*w, now)) continue;
      waits_.erase(waits_.begin() + static_cast<std::ptrdiff_t>(i));
      resume(w->plan_, w->owner_);
      resumed = true;
      break;
    }
  }
  std::erase_if(plans_, [](const Plan& p) { return p.started && p.task.done(); });
}

void Pump::run() {
  std::vector<pollfd> fds;
  std::vector<Session*> polled;
  for (;;) {
    resume_settled();
    if (plans_.empty()) return;
    Millis now = this->now();
    // Sessions with work to do now (not yet started, decrypted bytes waiting) run first.
    bool ran = false;
    for (const Entry& e : sessions_) {
      if (!e.session->finished() && e.session->ready_now()) {
        e.session->on_poll(0, now);
        ran = true;
      }
    }
    if (ran) continue;

    fds.clear();
    polled.clear();
    Millis wake = -1;
    for (const Entry& e : sessions_) {
      Session* s = e.session;
      if (s->finished()) continue;
      Millis d = s->next_deadline();
      if (wake < 0 || d < wake) wake = d;
      if (int fd = s->poll_fd(); fd >= 0) {
        fds.push_back({fd, s->poll_events(), 0});
        polled.push_back(s);
      }
    }
    for (const Wait* w : waits_)
      if (w->until_ && (wake < 0 || *w->until_ < wake)) wake = *w->until_;
    // Every wait without a time has a live session (else it was over), so nothing to wake for
    // means no wait at all: the plans left wait on something other than this loop.
    if (wake < 0) return;
    const std::size_t first_watch = fds.size();
    for (const Watch& w : watches_)
      fds.push_back({w.fd, w.events, 0});
    const std::size_t watch_count = watches_.size();
    // An interrupt request (engine/interrupt.hpp) wakes the loop, so the waits that watch for it
    // end now rather than at their deadline.
    const int interrupt = interrupt_fd();
    if (interrupt >= 0) fds.push_back({interrupt, POLLIN, 0});
    int timeout = static_cast<int>(std::clamp<Millis>(wake - now, 0, 60'000));
    int n = poller_.wait(fds.data(), fds.size(), timeout);
    if (n > 0 && interrupt >= 0 && fds.back().revents != 0) drain_interrupt_fd();
    if (n < 0 && errno != EINTR) {
      // The loop cannot wait any more: every wait ends now, with its predicate's value.
      std::vector<Wait*> ended;
      ended.swap(waits_);
      for (Wait* w : ended) {
        w->result_ = w->ready_();
        resume(w->plan_, w->owner_);
      }
      continue;
    }
    now = this->now();
    for (std::size_t i = 0; i < polled.size(); ++i) {
      Session* s = polled[i];
      if (fds[i].revents != 0 || now >= s->next_deadline()) s->on_poll(fds[i].revents, now);
    }
    // A watch's callback may unwatch (itself or another): call those still watched, by fd.
    for (std::size_t i = 0; i < watch_count; ++i) {
      const pollfd& p = fds[first_watch + i];
      if (p.revents == 0) continue;
      auto it = std::find_if(watches_.begin(), watches_.end(),
                             [&](const Watch& w) { return w.fd == p.fd; });
      if (it != watches_.end()) {
        auto on_ready = it->on_ready;
        on_ready(p.revents);
      }
    }
    // Sessions without a descriptor only wait for their deadline.
    for (const Entry& e : sessions_) {
      Session* s = e.session;
      if (!s->finished() && s->poll_fd() < 0 && now >= s->next_deadline()) s->on_poll(0, now);
    }
  }
}

}  // namespace mv
