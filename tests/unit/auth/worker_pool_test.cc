#include "auth/worker_pool.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "auth/thread_priority.h"

namespace qc::auth {
namespace {

TEST(WorkerPool, RunsJobsOnOtherThreads) {
  WorkerPool pool(2);
  std::promise<std::thread::id> ran_on;
  auto result = ran_on.get_future();
  pool.submit([&ran_on] { ran_on.set_value(std::this_thread::get_id()); });
  EXPECT_NE(result.get(), std::this_thread::get_id());
}

TEST(WorkerPool, UsesSeveralThreads) {
  WorkerPool pool(2);
  // Two jobs that each wait for the other can only finish when both run at once.
  std::promise<void> first_started, second_started;
  auto first_seen = first_started.get_future().share();
  auto second_seen = second_started.get_future().share();
  std::promise<std::thread::id> id_a, id_b;
  auto a = id_a.get_future();
  auto b = id_b.get_future();
  pool.submit([&] {
    first_started.set_value();
    second_seen.wait();
    id_a.set_value(std::this_thread::get_id());
  });
  pool.submit([&] {
    second_started.set_value();
    first_seen.wait();
    id_b.set_value(std::this_thread::get_id());
  });
  EXPECT_NE(a.get(), b.get());
}

TEST(WorkerPool, DrainsQueuedJobsOnDestruction) {
  std::atomic<int> done{0};
  std::promise<void> release;
  auto gate = release.get_future().share();
  {
    WorkerPool pool(1);
    pool.submit([gate] { gate.wait(); });  // holds the only worker while the queue fills
    for (int i = 0; i < 50; ++i) pool.submit([&done] { done.fetch_add(1); });
    EXPECT_GE(pool.queued(), 50u);
    release.set_value();
  }  // destructor finishes the queue before joining
  EXPECT_EQ(done.load(), 50);
}

TEST(WorkerPool, ZeroThreadsStillRuns) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(0);
    pool.submit([&done] { done.fetch_add(1); });
  }
  EXPECT_EQ(done.load(), 1);
}

}  // namespace
}  // namespace qc::auth

namespace qc::auth {
namespace {

int current_nice() { return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid))); }

// Linux lets an unprivileged thread raise its own nice value and choose SCHED_BATCH.
TEST(WorkerPool, BackgroundWorkersRunAtNice19UnderSchedBatch) {
  const int caller_policy = sched_getscheduler(0);
  const int caller_nice = current_nice();
  std::atomic<int> policy{-100}, nice{-100};
  {
    WorkerPool pool(1, WorkerPool::Priority::Background);
    pool.submit([&] {
      policy = sched_getscheduler(0);
      nice = current_nice();
    });
  }
  EXPECT_EQ(policy.load(), SCHED_BATCH);
  EXPECT_EQ(nice.load(), kBackgroundNice);
  EXPECT_EQ(sched_getscheduler(0), caller_policy) << "the caller's policy must not change";
  EXPECT_EQ(current_nice(), caller_nice) << "the caller's nice value must not change";
}

TEST(WorkerPool, NormalWorkersKeepTheCallersPriority) {
  std::atomic<int> policy{-100}, nice{-100};
  {
    WorkerPool pool(1);
    pool.submit([&] {
      policy = sched_getscheduler(0);
      nice = current_nice();
    });
  }
  EXPECT_EQ(policy.load(), sched_getscheduler(0));
  EXPECT_EQ(nice.load(), current_nice());
}

TEST(ThreadPriority, ReportsWhatItApplied) {
  std::promise<Result<BackgroundPriority>> got;
  std::promise<std::pair<int, int>> applied;  // policy, nice
  std::thread t([&] {
    got.set_value(run_current_thread_in_background());
    applied.set_value({sched_getscheduler(0), current_nice()});
  });
  auto result = got.get_future().get();
  const auto [policy, nice] = applied.get_future().get();
  t.join();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->nice, nice);
  EXPECT_EQ(nice, kBackgroundNice);
  if (result->batch) {
    EXPECT_EQ(policy, SCHED_BATCH);
  } else {
    EXPECT_NE(policy, SCHED_BATCH);
    EXPECT_FALSE(result->batch_refused.empty());
  }
}

}  // namespace
}  // namespace qc::auth
