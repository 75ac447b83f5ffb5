#include "bench/load/text.h"

#include <gtest/gtest.h>

namespace qc::bench {
namespace {

TEST(BenchText, PadsToTheRequestedSize) {
  EXPECT_EQ(make_text({7, 123}).size(), kTextBytes);
  EXPECT_EQ(make_text({7, 123}, 100).size(), 100u);
}

TEST(BenchText, RoundTripsSequenceAndTimestamp) {
  const Stamp in{123456789, 9'876'543'210'123};
  auto out = parse_text(make_text(in));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->seq, in.seq);
  EXPECT_EQ(out->sent_ns, in.sent_ns);
}

TEST(BenchText, KeepsEverythingWhenLongerThanTheSize) {
  auto out = parse_text(make_text({42, 1'000'000'000'000'000'000}, 8));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->seq, 42u);
  EXPECT_EQ(out->sent_ns, 1'000'000'000'000'000'000);
}

TEST(BenchText, RejectsForeignTexts) {
  EXPECT_FALSE(parse_text("hello").has_value());
  EXPECT_FALSE(parse_text("q=12").has_value());
  EXPECT_FALSE(parse_text("q=x t=5").has_value());
  EXPECT_FALSE(parse_text("").has_value());
}

}  // namespace
}  // namespace qc::bench
