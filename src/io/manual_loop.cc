#include "io/manual_loop.h"

namespace qc::io {

Result<void> ManualLoop::watch_readable(int /*fd*/, std::function<void()> /*on_readable*/) {
  return fail("unsupported", "a ManualLoop watches no file descriptors");
}

EventLoop::TimerId ManualLoop::add_timer(TimePoint when, std::function<void()> fn) {
  TimerId id = ++last_timer_id_;
  timers_.emplace(Key{when, id}, std::move(fn));
  deadlines_.emplace(id, when);
  return id;
}

void ManualLoop::cancel_timer(TimerId id) {
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return;
  timers_.erase(Key{it->second, id});
  deadlines_.erase(it);
}

void ManualLoop::post(std::function<void()> fn) {
  std::lock_guard lock(posted_mu_);
  posted_.push_back(std::move(fn));
}

bool ManualLoop::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mu_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
  return !batch.empty();
}

bool ManualLoop::has_due() {
  std::lock_guard lock(posted_mu_);
  return !posted_.empty() || (!timers_.empty() && timers_.begin()->first.first <= now_);
}

bool ManualLoop::run_due() {
  bool worked = run_posted();
  TimerId newest = last_timer_id_;
  // Timers set while these run wait for the next round, as events arriving during a real
  // loop's batch wait for its next wake-up.
  for (auto it = timers_.begin(); it != timers_.end() && it->first.first <= now_;) {
    if (it->first.second > newest) {
      ++it;
      continue;
    }
    auto fn = std::move(it->second);
    deadlines_.erase(it->first.second);
    timers_.erase(it);
    fn();
    worked = true;
    it = timers_.begin();  // fn() may have cancelled or added any timer
  }
  return worked;
}

void ManualLoop::run_idle_hooks() {
  for (std::size_t i = 0; i < idle_hooks_.size(); ++i) idle_hooks_[i]();
}

bool ManualLoop::step() {
  bool worked = run_due();
  run_idle_hooks();
  return worked;
}

bool ManualLoop::jump_to_next_timer() {
  if (timers_.empty()) return false;
  if (timers_.begin()->first.first > now_) now_ = timers_.begin()->first.first;
  return true;
}

void ManualLoop::advance(Clock::duration d) {
  TimePoint until = now_ + d;
  while (!timers_.empty() && timers_.begin()->first.first <= until) {
    jump_to_next_timer();
    step();
  }
  now_ = until;
  step();
}

// Both mirror EpollLoop::run(): idle hooks, then "sleep" (jump the clock) until something is
// due, then run it.
bool ManualLoop::run_until(const std::function<bool()>& done, std::size_t max_rounds) {
  for (std::size_t round = 0; round < max_rounds; ++round) {
    run_idle_hooks();
    if (done()) return true;
    if (!has_due() && !jump_to_next_timer()) return false;
    run_due();
  }
  return done();
}

Result<void> ManualLoop::run() {
  while (true) {
    run_idle_hooks();
    if (stop_requested_) break;
    if (!has_due() && !jump_to_next_timer())
      return fail("idle", "ManualLoop::run: nothing left to do and nobody to stop the loop");
    run_due();
  }
  stop_requested_ = false;  // reset on the way out, so that a stop() before run() is not lost
  return {};
}

}  // namespace qc::io
