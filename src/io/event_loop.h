// One-thread event loop: epoll for readiness, a timer heap for deadlines, and a thread-safe
// post() (eventfd) through which worker threads hand results back to the loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "util/result.h"

namespace qc::io {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

class EventLoop {
 public:
  using TimerId = std::uint64_t;

  static Result<std::unique_ptr<EventLoop>> create();
  virtual ~EventLoop() = default;

  // Calls on_readable() (on the loop thread) whenever fd is readable (level-triggered).
  virtual Result<void> watch_readable(int fd, std::function<void()> on_readable) = 0;
  virtual void unwatch(int fd) = 0;
  // Calls on_writable() once fd is writable, then stops watching writability (one-shot; used
  // after EAGAIN). Requires watch_readable(fd) first. The default refuses (for test doubles).
  virtual Result<void> watch_writable_once(int /*fd*/, std::function<void()> /*on_writable*/) {
    return fail("unsupported", "watch_writable_once is not supported by this loop");
  }

  // One-shot timers. cancel() of a fired or unknown id is a no-op.
  virtual TimerId add_timer(TimePoint when, std::function<void()> fn) = 0;
  virtual void cancel_timer(TimerId id) = 0;

  // Runs after every batch of events, before the loop sleeps again: the place to flush
  // writes so that everything one batch produced leaves in as few packets as possible.
  virtual void on_idle(std::function<void()> fn) = 0;

  // Thread-safe (and async-signal-safe for stop()).
  virtual void post(std::function<void()> fn) = 0;
  virtual void stop() = 0;

  // Runs until stop(). Returns the error that ended it, if any.
  virtual Result<void> run() = 0;

  // The loop's notion of now (updated once per wake-up; cheap).
  virtual TimePoint now() const = 0;
};

}  // namespace qc::io
