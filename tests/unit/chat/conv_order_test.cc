// ConvOrder: per conversation, messages go out in id order, once, with no gap; early ones wait,
// a hole is repaired after the bound, what the store no longer has is passed over.
#include <gtest/gtest.h>

#include "chat/conv_order.h"

namespace qc::chat {
namespace {

using namespace std::chrono_literals;
using Order = ConvOrder<std::uint64_t>;  // the item is its id
using Ids = std::vector<std::uint64_t>;

class ConvOrderTest : public ::testing::Test {
 protected:
  Ids offer(std::uint64_t id, const std::string& conv = "c") {
    return order.offer(conv, id, id, now);
  }
  Order order{200ms};
  TimePoint now{};
};

TEST_F(ConvOrderTest, TheFirstMessageSeenStartsTheConversationAndTheNextFollow) {
  EXPECT_EQ(offer(5), (Ids{5}));
  EXPECT_EQ(offer(6), (Ids{6}));
  EXPECT_EQ(offer(1, "other"), (Ids{1}));
  EXPECT_EQ(order.last_delivered("c"), 6u);
  EXPECT_FALSE(order.next_deadline());
}

TEST_F(ConvOrderTest, APageReadForASessionSaysWhereAConversationStarts) {
  order.start_at("c", 4);
  EXPECT_EQ(offer(6), Ids{});  // 5 is on its way
  EXPECT_EQ(offer(5), (Ids{5, 6}));
  order.start_at("c", 9);  // started already: no change
  EXPECT_EQ(order.last_delivered("c"), 6u);
}

TEST_F(ConvOrderTest, AnEarlyMessageWaitsForTheOneBeforeItThenBothGoInOrder) {
  offer(1);
  EXPECT_EQ(offer(3), Ids{});
  EXPECT_EQ(offer(4), Ids{});
  EXPECT_EQ(order.held(), 2u);
  EXPECT_EQ(order.next_deadline(), now + 200ms);
  EXPECT_EQ(offer(2), (Ids{2, 3, 4}));
  EXPECT_EQ(order.held(), 0u);
  EXPECT_FALSE(order.next_deadline());
  EXPECT_EQ(order.stats().held, 2u);
}

TEST_F(ConvOrderTest, WhatWasDeliveredOrIsHeldIsADuplicate) {
  offer(1);
  offer(2);
  EXPECT_EQ(offer(2), Ids{});
  EXPECT_EQ(offer(1), Ids{});
  offer(4);
  EXPECT_EQ(offer(4), Ids{});
  EXPECT_EQ(order.stats().duplicates, 3u);
}

TEST_F(ConvOrderTest, AHoleIsDueAfterTheBoundOnceAndItsReadFillsIt) {
  offer(1);
  offer(3);
  now += 199ms;
  EXPECT_TRUE(order.due(now).empty());
  now += 1ms;
  const auto gaps = order.due(now);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].conv, "c");
  EXPECT_EQ(gaps[0].after, 1u);
  EXPECT_TRUE(order.due(now + 1s).empty());  // being repaired
  EXPECT_FALSE(order.next_deadline());
  EXPECT_EQ(offer(2), (Ids{2, 3}));  // what the read found
  EXPECT_EQ(offer(3), Ids{});
  EXPECT_EQ(order.repaired("c", now), Ids{});
  EXPECT_EQ(order.stats().skipped, 0u);
}

TEST_F(ConvOrderTest, AHoleTheStoreDoesNotHaveIsPassedOver) {
  offer(1);
  offer(4);
  offer(5);
  now += 300ms;
  ASSERT_EQ(order.due(now).size(), 1u);
  EXPECT_EQ(order.repaired("c", now), (Ids{4, 5}));
  EXPECT_EQ(order.stats().skipped, 1u);
  EXPECT_EQ(offer(6), (Ids{6}));
}

TEST_F(ConvOrderTest, AHoleThatOpensDuringARepairWaitsForItsOwnBound) {
  offer(1);
  const auto gaps = order.everything();  // the bus came back: read every conversation
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].after, 1u);
  now += 10ms;
  offer(3);  // 2 was committed after the read started
  EXPECT_EQ(order.repaired("c", now), Ids{});
  EXPECT_EQ(order.stats().skipped, 0u);
  EXPECT_EQ(order.next_deadline(), now + 200ms);
  EXPECT_EQ(offer(2), (Ids{2, 3}));
}

TEST_F(ConvOrderTest, EverythingLeavesOutConversationsBeingRepaired) {
  offer(1, "a");
  offer(3, "a");
  offer(1, "b");
  now += 250ms;
  ASSERT_EQ(order.due(now).size(), 1u);
  const auto gaps = order.everything();
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].conv, "b");
}

}  // namespace
}  // namespace qc::chat
