#include "ops/process_stats.h"

#include <gtest/gtest.h>

#include <ctime>

namespace qc::ops {
namespace {

// A real line of /proc/PID/stat, with a command name holding ") (" to trip naive parsers.
constexpr const char* kStat =
    "4242 (we) (ird name) S 1 4242 4242 0 -1 4194560 1234 0 0 0 150 25 0 0 20 0 3 0 987654 "
    "123456789 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

TEST(ProcessStats, ParsesTheFieldsAfterTheCommandName) {
  auto f = parse_proc_stat(kStat);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->utime_ticks, 150u);
  EXPECT_EQ(f->stime_ticks, 25u);
  EXPECT_EQ(f->start_ticks, 987654u);
  EXPECT_EQ(f->rss_pages, 2048u);
}

TEST(ProcessStats, RefusesTruncatedOrGarbledLines) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("4242 (x) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("4242 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21"));
  EXPECT_FALSE(
      parse_proc_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 25 0 0 20 0 3 0 987654 123 2048 0"));
}

TEST(ProcessStats, FindsTheBootTime) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"), 1700000000u);
  EXPECT_FALSE(parse_boot_time("cpu 1\n"));
}

TEST(ProcessStats, ReadsThisProcess) {
  auto s = read_process_stats();
  ASSERT_TRUE(s);
  EXPECT_GT(s->resident_bytes, 0u);
  EXPECT_GE(s->cpu_seconds, 0.0);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(s->start_time_seconds, now + 1);
  EXPECT_GT(s->start_time_seconds, now - 24 * 3600.0 * 365);
}

}  // namespace
}  // namespace qc::ops
