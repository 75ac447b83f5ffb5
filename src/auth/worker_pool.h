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
  // Background workers run only when no normal thread wants the CPU (SCHED_IDLE, or nice 10
  // where that is refused; logged once): slow jobs (bcrypt) never delay the event loop.
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
