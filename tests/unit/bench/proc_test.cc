#include "bench/load/proc.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "bench/load/server.h"

namespace qc::bench {
namespace {

TEST(BenchProc, ReadsThisProcessCpuAndRss) {
  auto rss = process_rss_kib(getpid());
  ASSERT_TRUE(rss.has_value());
  EXPECT_GT(*rss, 0);
  volatile std::uint64_t spin = 0;
  const auto before = process_cpu_ns(getpid());
  for (std::uint64_t i = 0; i < 20'000'000; ++i) spin = spin + i;
  const auto after = process_cpu_ns(getpid());
  ASSERT_TRUE(before && after);
  EXPECT_GT(*after, *before);
}

TEST(BenchProc, ReadsTheMainThreadsRunQueueWait) {
  auto wait = main_thread_wait_ns(getpid());
  ASSERT_TRUE(wait.has_value());
  EXPECT_GE(*wait, 0);
  EXPECT_FALSE(main_thread_wait_ns(0x3fffffff).has_value());
}

TEST(BenchProc, SampleWithoutPidIsInvalid) {
  EXPECT_FALSE(sample_process(std::nullopt).valid);
  EXPECT_TRUE(sample_process(getpid()).valid);
}

TEST(BenchProc, UnknownPidHasNoFigures) {
  EXPECT_FALSE(process_cpu_ns(0x3fffffff).has_value());
  EXPECT_FALSE(process_rss_kib(0x3fffffff).has_value());
}

TEST(BenchProc, MonotonicClockAdvances) {
  const std::int64_t a = now_ns();
  EXPECT_GE(now_ns(), a);
}

TEST(BenchServer, AccountNamesHaveFourDigitsAtLeast) {
  EXPECT_EQ(account_name("u", 0), "u0000");
  EXPECT_EQ(account_name("u", 42), "u0042");
  EXPECT_EQ(account_name("bench", 12345), "bench12345");
  const AccountBatch b = account_batch(2, 10, 10);
  EXPECT_EQ(b.first, 2u);
  EXPECT_EQ(b.count, 10u);
  EXPECT_EQ(b.cost, 10);
}

}  // namespace
}  // namespace qc::bench
