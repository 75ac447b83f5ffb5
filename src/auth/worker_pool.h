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
  // `nice` > 0 runs the workers at a lower priority than the thread that made the pool, so
  // that slow jobs (bcrypt) never take a core away from the event loop.
  explicit WorkerPool(unsigned threads, int nice = 0);
  ~WorkerPool();  // finishes queued jobs, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(std::function<void()> job);
  std::size_t queued() const;

 private:
  void run(int nice);
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace qc::auth
