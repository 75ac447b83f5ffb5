#include "bench/load/stats.h"

#include <gtest/gtest.h>

namespace qc::bench {
namespace {

TEST(LatencySamples, EmptyGivesZero) {
  LatencySamples s;
  EXPECT_EQ(s.percentile_us(50), 0.0);
}

TEST(LatencySamples, NearestRankPercentilesInMicroseconds) {
  LatencySamples s;
  for (int i = 100; i >= 1; --i) s.add(i * 1000);  // 1..100 us, added in reverse
  EXPECT_DOUBLE_EQ(s.percentile_us(50), 50.0);
  EXPECT_DOUBLE_EQ(s.percentile_us(99), 99.0);
  EXPECT_DOUBLE_EQ(s.percentile_us(99.9), 100.0);
  EXPECT_DOUBLE_EQ(s.percentile_us(100), 100.0);
  EXPECT_DOUBLE_EQ(s.percentile_us(0), 1.0);
}

TEST(LatencySamples, AddingAfterAPercentileResorts) {
  LatencySamples s;
  s.add(5000);
  EXPECT_DOUBLE_EQ(s.percentile_us(100), 5.0);
  s.add(1000);
  s.add(9000);
  EXPECT_DOUBLE_EQ(s.percentile_us(50), 5.0);
  EXPECT_DOUBLE_EQ(s.percentile_us(100), 9.0);
  EXPECT_EQ(s.size(), 3u);
}

}  // namespace
}  // namespace qc::bench
