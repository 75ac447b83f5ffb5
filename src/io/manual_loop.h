// An EventLoop whose clock moves only when told to: for deterministic tests of code that runs
// on a loop (timers, idle hooks, posted work), taking milliseconds of real time for minutes of
// loop time. It watches no file descriptors: pair it with in-memory I/O that uses timers.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "io/event_loop.h"

namespace qc::io {

class ManualLoop final : public EventLoop {
 public:
  // Starts the clock at `start` (not at zero: a zero timestamp reads as "unset" to some code).
  explicit ManualLoop(TimePoint start = TimePoint{} + std::chrono::hours(1)) : now_(start) {}

  Result<void> watch_readable(int fd, std::function<void()> on_readable) override;
  void unwatch(int /*fd*/) override {}
  TimerId add_timer(TimePoint when, std::function<void()> fn) override;
  void cancel_timer(TimerId id) override;
  void on_idle(std::function<void()> fn) override { idle_hooks_.push_back(std::move(fn)); }
  void post(std::function<void()> fn) override;
  void stop() override { stop_requested_ = true; }
  // Steps until stop(), jumping the clock from timer to timer; fails if nothing is left to do
  // (a real loop would sleep forever).
  Result<void> run() override;
  TimePoint now() const override { return now_; }

  // One round: posted work, the timers due now (those added meanwhile wait for the next
  // round), then the idle hooks. False when no posted work and no timer was due.
  bool step();
  // Moves the clock to the earliest pending timer; false when there is none.
  bool jump_to_next_timer();
  // Moves the clock forward by `d`, running every timer due on the way at its own time.
  void advance(Clock::duration d);
  // Rounds of idle hooks, then what is due (jumping the clock to the next timer when nothing
  // is), until done() holds. False when nothing is left to happen or `max_rounds` ran out:
  // a budget instead of a wall-clock failsafe.
  bool run_until(const std::function<bool()>& done, std::size_t max_rounds = 200'000);

  std::size_t pending_timers() const { return timers_.size(); }

 private:
  // Ordered by (deadline, id): equal deadlines fire in the order they were set.
  using Key = std::pair<TimePoint, TimerId>;

  bool run_posted();
  bool has_due();
  bool run_due();  // posted work and the timers due now
  void run_idle_hooks();

  TimePoint now_;
  TimerId last_timer_id_ = 0;
  std::map<Key, std::function<void()>> timers_;
  std::map<TimerId, TimePoint> deadlines_;  // of the live timers, for cancel_timer()
  std::vector<std::function<void()>> idle_hooks_;
  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;
  bool stop_requested_ = false;
};

}  // namespace qc::io
