#include "auth/worker_pool.h"

#include "auth/thread_priority.h"
#include "util/log.h"

namespace qc::auth {

WorkerPool::WorkerPool(unsigned threads, Priority priority) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) {
    threads_.emplace_back([this, priority] { run(priority); });
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

std::size_t WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

// Every worker lowers itself; the first one says in the log what it got.
void WorkerPool::lower_priority() {
  auto got = run_current_thread_in_background();
  std::call_once(priority_logged_, [&got] {
    if (!got) {
      log::warn("worker_priority", {{"policy", "unchanged"}, {"error", got.error().message}});
    } else if (!got->batch) {
      log::warn("worker_priority",
                {{"policy", "nice"}, {"nice", got->nice}, {"sched_batch_refused", got->batch_refused}});
    } else {
      log::info("worker_priority", {{"policy", "SCHED_BATCH"}, {"nice", got->nice}});
    }
  });
}

void WorkerPool::run(Priority priority) {
  if (priority == Priority::Background) lower_priority();
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace qc::auth
