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

TEST_F(CoreMessaging, OneToManySharesOneEncoding) {
  h.feed(1, one_to_many_pdu("1,2,3", "meet"));
  std::vector<Action> actions = h.take();
  ASSERT_EQ(actions.size(), 3u);
  const SharedBytes& first = std::get<action::Send>(actions[0]).bytes;
  for (const Action& a : actions) EXPECT_EQ(std::get<action::Send>(a).bytes.get(), first.get());
}

TEST_F(CoreMessaging, BroadcastReachesEveryoneAndSharesOneBuffer) {
  h.feed(2, broadcast_pdu("hello"));
  std::vector<Action> actions = h.take();
  ASSERT_EQ(actions.size(), 3u);
  const SharedBytes& first = std::get<action::Send>(actions[0]).bytes;
  std::vector<ConnHandle> recipients;
  for (const Action& a : actions) {
    const auto& send = std::get<action::Send>(a);
    EXPECT_EQ(send.bytes.get(), first.get());
    recipients.push_back(send.conn);
  }
  EXPECT_EQ(recipients, (std::vector<ConnHandle>{1, 2, 3}));
  EXPECT_EQ(Rendered{}(std::get<action::Send>(actions[0])), "1 BROADCAST bob(2): hello");
  EXPECT_EQ(h.core.stats().deliveries, 3u);
}

// Presence lists carry the whole state, so the transport may let a newer one supersede an
// unsent older one; messages must never be superseded.
TEST_F(CoreMessaging, OnlyPresenceListsAreReplaceable) {
  h.feed(2, logout_pdu());
  std::vector<Action> actions = h.take();
  std::size_t presence = 0;
  for (const Action& a : actions) {
    const auto* send = std::get_if<action::Send>(&a);
    if (send == nullptr) continue;
    auto pdu = proto::decode(*send->bytes);
    ASSERT_TRUE(pdu.ok());
    bool is_presence = pdu->type == MsgType::LogoutBroadcast;
    EXPECT_EQ(send->replaceable, is_presence) << proto::msg_type_name(pdu->type);
    presence += is_presence;
  }
  EXPECT_EQ(presence, 2u);
  h.feed(1, broadcast_pdu("hi"));
  for (const Action& a : h.take()) EXPECT_FALSE(std::get<action::Send>(a).replaceable);
}

TEST_F(CoreMessaging, NothingReachesAUserWhoLeft) {
  h.feed(2, logout_pdu());
  h.drain();
  h.feed(1, broadcast_pdu("bye"));
  EXPECT_EQ(h.drain(), (Lines{"1 BROADCAST alice(1): bye", "3 BROADCAST alice(1): bye"}));
}

}  // namespace
}  // namespace qc::chat::testing
