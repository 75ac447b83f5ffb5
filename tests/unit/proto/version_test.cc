#include "proto/version.h"

#include <gtest/gtest.h>

#include <vector>

namespace qc::proto {
namespace {

TEST(Version, PicksOurOnlyVersion) {
  const std::vector<std::int64_t> offered{1};
  auto r = negotiate_version(offered);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1);
}

TEST(Version, PicksHighestCommonWhateverTheOrder) {
  const std::vector<std::int64_t> offered{1, 4, 2, 3};
  const std::vector<std::int64_t> supported{3, 1, 2};
  auto r = negotiate_version(offered, supported);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3);
}

TEST(Version, IgnoresUnknownVersionsOffered) {
  const std::vector<std::int64_t> offered{-1, 0, 1, 99};
  auto r = negotiate_version(offered);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1);
}

TEST(Version, NoCommonVersionIsAnError) {
  const std::vector<std::int64_t> offered{2, 3};
  auto r = negotiate_version(offered);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "No compatible version");
}

TEST(Version, EmptyOfferIsAnError) {
  auto r = negotiate_version({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "No compatible version");
}

}  // namespace
}  // namespace qc::proto
