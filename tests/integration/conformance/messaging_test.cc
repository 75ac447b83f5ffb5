// One-to-one, one-to-many and broadcast delivery; errors before login; malformed input.
#include <gtest/gtest.h>

#include "conformance/suite.h"
#include "proto/alpn.h"

namespace qc::conformance {
namespace {

using proto::MsgType;

class Messaging : public ConformanceTest {
 protected:
  // alice, bob and cam logged in, the join broadcasts consumed, each one's id known
  // (LOGIN_ACK lists the newcomer last).
  void SetUp() override {
    for (std::size_t i = 0; i < 3; ++i) {
      auto p = connect(i);
      ASSERT_TRUE(p);
      auto users = p->login(user(i).name, user(i).password);
      ASSERT_FALSE(users.empty());
      ids_[i] = users.back().user_id;
      peers_[i] = std::move(p);
      for (std::size_t j = 0; j < i; ++j) ASSERT_TRUE(peers_[j]->expect(MsgType::LoginBroadcast));
    }
  }
  std::unique_ptr<itest::Peer> peers_[3];
  std::uint64_t ids_[3] = {0, 0, 0};
};

TEST_F(Messaging, BroadcastReachesEveryoneIncludingTheSender) {
  peers_[1]->send(MsgType::Broadcast, proto::encode_broadcast({"Good morning everyone!"}));
  for (auto& p : peers_) {
    auto pdu = p->expect(MsgType::Broadcast);
    ASSERT_TRUE(pdu);
    auto d = delivery_of(*pdu);
    EXPECT_EQ(d.sender_username, user(1).name);
    EXPECT_EQ(d.msg, "Good morning everyone!");
  }
}

TEST_F(Messaging, OneToOneReachesOnlyTheTarget) {
  peers_[2]->send(MsgType::OneToOne, proto::encode_one_to_one({std::to_string(ids_[0]),
                                                               "Hi Alice, how are you today?"}));
  auto pdu = peers_[0]->expect(MsgType::OneToOne);
  ASSERT_TRUE(pdu);
  auto d = delivery_of(*pdu);
  EXPECT_EQ(d.sender_username, user(2).name);
  EXPECT_EQ(d.msg, "Hi Alice, how are you today?");
  EXPECT_TRUE(peers_[1]->nothing_within(std::chrono::milliseconds(200)));
}

TEST_F(Messaging, OneToOneToAnInactiveUserFails) {
  peers_[0]->send(MsgType::OneToOne, proto::encode_one_to_one({"999999", "anyone?"}));
  auto err = peers_[0]->expect(MsgType::MsgUnsuccessful);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_of(*err), "Target user not available");
}

TEST_F(Messaging, OneToManyDeliversPartiallyAndReportsEachMissingTarget) {
  const auto& ids = ids_;
  std::string targets = std::to_string(ids[0]) + "," + std::to_string(ids[2]) + ",999998,999999";
  peers_[1]->send(MsgType::OneToMany,
                  proto::encode_one_to_many({targets, "Meeting at 3 PM, don't forget!"}));
  for (std::size_t i : {0u, 2u}) {
    auto pdu = peers_[i]->expect(MsgType::OneToMany);
    ASSERT_TRUE(pdu);
    auto d = delivery_of(*pdu);
    EXPECT_EQ(d.sender_user_id, ids[1]);
    EXPECT_EQ(d.msg, "Meeting at 3 PM, don't forget!");
  }
  for (int missing = 0; missing < 2; ++missing) {
    auto err = peers_[1]->expect(MsgType::MsgUnsuccessful);
    ASSERT_TRUE(err);
    EXPECT_EQ(error_of(*err), "Target user not available");
  }
}

TEST_F(Messaging, NonAsciiTextArrivesIntact) {
  const std::string text = "h\xc3\xa9llo \xf0\x9f\x98\x80 \"quoted\" back\\slash";
  peers_[0]->send(MsgType::Broadcast, proto::encode_broadcast({text}));
  auto pdu = peers_[1]->expect(MsgType::Broadcast);
  ASSERT_TRUE(pdu);
  EXPECT_EQ(delivery_of(*pdu).msg, text);
}

TEST_F(Messaging, AliveGetsNoReply) {
  peers_[0]->send(MsgType::Alive, std::string(proto::kAliveText));
  peers_[0]->send(MsgType::Broadcast, proto::encode_broadcast({"after alive"}));
  auto pdu = peers_[0]->next();
  ASSERT_TRUE(pdu);
  EXPECT_EQ(pdu->type, MsgType::Broadcast) << pdu->msg;
}

TEST_F(Messaging, ManyMessagesArriveInOrder) {
  constexpr int kCount = 500;
  for (int i = 0; i < kCount; ++i) {
    peers_[0]->send(MsgType::Broadcast, proto::encode_broadcast({"m" + std::to_string(i)}));
  }
  for (int i = 0; i < kCount; ++i) {
    auto pdu = peers_[2]->expect(MsgType::Broadcast);
    ASSERT_TRUE(pdu) << "message " << i;
    ASSERT_EQ(delivery_of(*pdu).msg, "m" + std::to_string(i));
  }
}

class BeforeLogin : public ConformanceTest {};

TEST_F(BeforeLogin, FixedDefect_ChatBeforeLoginIsRefusedAndTheSessionKept) {
  auto p = connect();
  ASSERT_TRUE(p);
  const std::pair<MsgType, std::string> attempts[] = {
      {MsgType::Broadcast, proto::encode_broadcast({"hi"})},
      {MsgType::OneToOne, proto::encode_one_to_one({"1", "hi"})},
      {MsgType::OneToMany, proto::encode_one_to_many({"1,2", "hi"})},
      {MsgType::Alive, std::string(proto::kAliveText)},
      {MsgType::Logout, std::string(proto::kLogoutText)},
  };
  for (const auto& [type, msg] : attempts) {
    p->send(type, msg);
    auto err = p->expect(MsgType::MsgUnsuccessful);
    ASSERT_TRUE(err) << proto::msg_type_name(type);
    EXPECT_EQ(error_of(*err), "User not authenticated");
  }
  EXPECT_FALSE(p->login(user(0).name, user(0).password).empty());
}

TEST_F(BeforeLogin, MalformedLoginDisconnectsWithAReason) {
  auto p = connect();
  ASSERT_TRUE(p);
  p->send(MsgType::Login, "{not json");
  auto err = p->expect(MsgType::LoginUnsuccessfulDisconnect);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_of(*err), "Malformed data received");
  EXPECT_TRUE(p->wait_closed());
}

class Robustness : public ConformanceTest {};

TEST_F(Robustness, FixedDefect_MalformedPduAfterLoginGetsAnErrorAndTheStreamGoesOn) {
  auto p = login(0);
  ASSERT_TRUE(p);
  p->send_raw(R"({"version": 1, "mtype": 50, "msg": 7, "sz": 1})");
  auto err = p->expect(MsgType::MsgUnsuccessful);
  ASSERT_TRUE(err);
  EXPECT_NE(error_of(*err).find("Malformed data received"), std::string::npos);
  p->send(MsgType::Broadcast, proto::encode_broadcast({"still here"}));
  auto pdu = p->expect(MsgType::Broadcast);
  ASSERT_TRUE(pdu);
  EXPECT_EQ(delivery_of(*pdu).msg, "still here");
}

TEST_F(Robustness, FixedDefect_TwoPdusInOneWriteAreBothHandled) {
  auto p = login(0);
  ASSERT_TRUE(p);
  p->send_raw(proto::encode(proto::make_pdu(MsgType::Broadcast, proto::encode_broadcast({"one"}))) +
              proto::encode(proto::make_pdu(MsgType::Broadcast, proto::encode_broadcast({"two"}))));
  auto first = p->expect(MsgType::Broadcast);
  auto second = p->expect(MsgType::Broadcast);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(delivery_of(*first).msg, "one");
  EXPECT_EQ(delivery_of(*second).msg, "two");
}

TEST_F(Robustness, FixedDefect_PduSplitAcrossWritesIsReassembled) {
  auto p = login(0);
  ASSERT_TRUE(p);
  std::string bytes =
      proto::encode(proto::make_pdu(MsgType::Broadcast, proto::encode_broadcast({"split {}"})));
  p->send_raw(bytes.substr(0, 10));
  p->send_raw(bytes.substr(10));
  auto pdu = p->expect(MsgType::Broadcast);
  ASSERT_TRUE(pdu);
  EXPECT_EQ(delivery_of(*pdu).msg, "split {}");
}

TEST_F(Robustness, FixedDefect_LargePduBeyondOnePacketIsDelivered) {
  auto p = login(0);
  ASSERT_TRUE(p);
  std::string text(30'000, 'x');
  p->send(MsgType::Broadcast, proto::encode_broadcast({text}));
  auto pdu = p->next();
  while (pdu && pdu->type != MsgType::Broadcast && pdu->type != MsgType::MsgUnsuccessful)
    pdu = p->next();
  ASSERT_TRUE(pdu);
  if (p->info().alpn == proto::kAlpnSeed && pdu->type == MsgType::MsgUnsuccessful) {
    // The original's clients read one PDU per packet: a server may refuse what cannot reach them
    // whole (quicchat does, docs/PROTOCOL.md section 2) instead of sending it in pieces.
    EXPECT_NE(pdu->msg.find("Message too long"), std::string::npos) << pdu->msg;
    return;
  }
  ASSERT_EQ(pdu->type, MsgType::Broadcast) << pdu->msg;
  EXPECT_EQ(delivery_of(*pdu).msg, text);
}

}  // namespace
}  // namespace qc::conformance
