// A small pool of threads for slow work (password hashing) that must never run on the event loop.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace qc::auth {

class WorkerPool {
 public:
  // Background workers run at the lowest normal priority (nice 19, SCHED_BATCH; logged once):
  // slow jobs (bcrypt) yield to the event loop, yet are not starved by other background work.
  enum class Priority { Normal, Background };

  explicit WorkerPool(unsigned threads, Priority priority = Priority::Normal);
  ~WorkerPool();  // finishes queued jobs, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(std::function<void()> job);
  std::size_t queued() const;

 private:
  void run(Priority priority);
  void lower_priority();
  mutable std::mutex mu_;
  std::once_flag priority_logged_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace qc::auth
