// ONE_TO_ONE, ONE_TO_MANY and BROADCAST routing.
#include <gtest/gtest.h>

#include "harness.h"

namespace qc::chat::testing {
namespace {

class CoreMessaging : public ::testing::Test {
 protected:
  void SetUp() override {
    h.join(1, "alice");
    h.join(2, "bob");
    h.join(3, "cam");
    h.drain();
  }
  Harness h;
};

TEST_F(CoreMessaging, OneToOneReachesTheTarget) {
  h.feed(1, one_to_one_pdu("2", "hi"));
  EXPECT_EQ(h.drain(), (Lines{"2 ONE_TO_ONE alice(1): hi"}));
  EXPECT_EQ(h.core.stats().deliveries, 1u);
}

TEST_F(CoreMessaging, OneToOneToOneself) {
  h.feed(3, one_to_one_pdu("3", "note"));
  EXPECT_EQ(h.drain(), (Lines{"3 ONE_TO_ONE cam(3): note"}));
}

TEST_F(CoreMessaging, OneToOneUnavailableTarget) {
  h.close(2);
  h.drain();
  for (const char* target : {"2", "9", "0", "99999999999999999999999"}) {
    h.feed(1, one_to_one_pdu(target, "hi"));
    EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL Target user not available"})) << target;
  }
}

TEST_F(CoreMessaging, OneToOneInvalidTargetId) {
  h.feed(1, one_to_one_pdu("x", "hi"));
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL Invalid target user id 'x'"}));
  h.feed(1, one_to_one_pdu("-2", "hi"));
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL Invalid target user id '-2'"}));
  h.feed(1, one_to_one_pdu("", "hi"));
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL Invalid target user id ''"}));
  EXPECT_EQ(h.core.stats().deliveries, 0u);
}

TEST_F(CoreMessaging, OneToManyPartialDeliveryDuplicatesAndBadTokens) {
  h.feed(1, one_to_many_pdu("2, 3,9,x,3,9 ,2", "meet"));
  EXPECT_EQ(h.drain(), (Lines{"2 ONE_TO_MANY alice(1): meet", "3 ONE_TO_MANY alice(1): meet",
                              "1 MSG_UNSUCCESSFUL Target user not available",
                              "1 MSG_UNSUCCESSFUL Invalid target user id 'x'"}));
  EXPECT_EQ(h.core.stats().deliveries, 2u);
}

// A fan-out is one action naming its recipients, with one encoding for all of them.
TEST_F(CoreMessaging, OneToManyIsOneDeliverWithOneEncoding) {
  h.feed(1, one_to_many_pdu("1,2,3", "meet"));
  std::vector<Action> actions = h.take();
  ASSERT_EQ(actions.size(), 1u);
  const auto& deliver = std::get<action::Deliver>(actions[0]);
  EXPECT_EQ(deliver.recipients, (std::vector<ConnHandle>{1, 2, 3}));
  EXPECT_EQ(Rendered{}(deliver)[0], "1 ONE_TO_MANY alice(1): meet");
}

TEST_F(CoreMessaging, BroadcastIsOneDeliverToEveryone) {
  h.feed(2, broadcast_pdu("hello"));
  std::vector<Action> actions = h.take();
  ASSERT_EQ(actions.size(), 1u);
  const auto& deliver = std::get<action::Deliver>(actions[0]);
  EXPECT_EQ(deliver.recipients, (std::vector<ConnHandle>{1, 2, 3}));
  EXPECT_EQ(Rendered{}(deliver)[0], "1 BROADCAST bob(2): hello");
  EXPECT_EQ(h.core.stats().deliveries, 3u);
}

// Presence lists carry the whole state, so the transport may let a newer one supersede an
// unsent older one; messages must never be superseded.
TEST_F(CoreMessaging, OnlyPresenceListsAreReplaceable) {
  h.feed(2, logout_pdu());
  std::vector<Action> actions = h.take();
  std::size_t presence = 0;
  for (const Action& a : actions) {
    const auto* deliver = std::get_if<action::Deliver>(&a);
    if (deliver == nullptr) continue;  // replies (Send) are never replaceable
    auto pdu = proto::decode(*deliver->bytes);
    ASSERT_TRUE(pdu.ok());
    bool is_presence = pdu->type == MsgType::LogoutBroadcast;
    EXPECT_EQ(deliver->replaceable, is_presence) << proto::msg_type_name(pdu->type);
    presence += is_presence ? deliver->recipients.size() : 0;
  }
  EXPECT_EQ(presence, 2u);
  h.feed(1, broadcast_pdu("hi"));
  for (const Action& a : h.take()) EXPECT_FALSE(std::get<action::Deliver>(a).replaceable);
}

TEST_F(CoreMessaging, NothingReachesAUserWhoLeft) {
  h.feed(2, logout_pdu());
  h.drain();
  h.feed(1, broadcast_pdu("bye"));
  EXPECT_EQ(h.drain(), (Lines{"1 BROADCAST alice(1): bye", "3 BROADCAST alice(1): bye"}));
}

}  // namespace
}  // namespace qc::chat::testing
