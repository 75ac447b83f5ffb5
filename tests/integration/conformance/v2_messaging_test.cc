// Protocol v2: sending and delivery, client message ids, presence, and v1 and v2 sessions
// sharing one server.
#include <gtest/gtest.h>

#include <algorithm>

#include "conformance/v2_suite.h"

namespace qc::conformance {
namespace {

using proto::MsgType;
namespace code = v2::code;

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class V2Messaging : public V2Test {};

TEST_F(V2Messaging, MessageReachesEveryDeviceAndTheSendersOtherDeviceGetsItsCopyWithTheCid) {
  v2::Welcome alice_welcome, bob_welcome;
  auto alice_phone = v2_login(0, "conf-phone", &alice_welcome);
  auto alice_laptop = v2_login(0, "conf-laptop");
  auto bob_phone = v2_login(1, "conf-phone", &bob_welcome);
  auto bob_laptop = v2_login(1, "conf-laptop");
  ASSERT_TRUE(alice_phone && alice_laptop && bob_phone && bob_laptop);
  const std::string cid = unique_cid();
  v2::RequestId rid = alice_phone->send_to({user(1).name}, "hi from the phone", cid);
  auto ack = alice_phone->expect<v2::Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->rid, rid);
  EXPECT_EQ(ack->cid, cid);
  EXPECT_FALSE(ack->duplicate);
  ASSERT_EQ(ack->sent.size(), 1u);
  EXPECT_EQ(ack->sent[0].to, user(1).name);
  EXPECT_EQ(ack->sent[0].conv, direct_conv(alice_welcome.account, bob_welcome.account));
  EXPECT_FALSE(ack->sent[0].offline);
  for (auto* device : {bob_phone.get(), bob_laptop.get(), alice_laptop.get()}) {
    auto msg = device->expect<v2::Msg>();
    ASSERT_TRUE(msg);
    EXPECT_EQ(msg->conv, ack->sent[0].conv);
    EXPECT_EQ(msg->id, ack->sent[0].id);
    EXPECT_EQ(msg->epoch, ack->epoch);
    EXPECT_EQ(msg->from, user(0).name);
    EXPECT_EQ(msg->to, std::vector<std::string>{user(1).name});
    EXPECT_EQ(msg->text, "hi from the phone");
    if (device == alice_laptop.get()) {
      EXPECT_EQ(msg->cid, cid) << "the sender's own copy";
    }
  }
  EXPECT_TRUE(alice_phone->sync().empty()) << "the sending device gets the ack, not a copy";
}

TEST_F(V2Messaging, IdsAscendPerConversation) {
  v2::Welcome alice_welcome, bob_welcome, cam_welcome;
  auto alice = v2_login(0, "", &alice_welcome);
  auto bob = v2_login(1, "", &bob_welcome);
  auto cam = v2_login(2, "", &cam_welcome);
  ASSERT_TRUE(alice && bob && cam);
  std::vector<v2::Sent> to_bob;
  for (int i = 0; i < 3; ++i) {
    alice->send_to({user(1).name}, "n" + std::to_string(i));
    auto ack = alice->expect<v2::Ack>();
    ASSERT_TRUE(ack && ack->sent.size() == 1);
    to_bob.push_back(ack->sent[0]);
    alice->send_to({user(2).name}, "other conversation");
    ASSERT_TRUE(alice->expect<v2::Ack>());
  }
  for (std::size_t i = 1; i < to_bob.size(); ++i) {
    EXPECT_EQ(to_bob[i].conv, to_bob[0].conv);
    EXPECT_GT(to_bob[i].id, to_bob[i - 1].id);
  }
  for (int i = 0; i < 3; ++i) {
    auto msg = bob->expect<v2::Msg>();
    ASSERT_TRUE(msg);
    EXPECT_EQ(msg->id, to_bob[static_cast<std::size_t>(i)].id);
    EXPECT_EQ(msg->text, "n" + std::to_string(i));
  }
  auto to_cam = cam->expect<v2::Msg>();
  ASSERT_TRUE(to_cam);
  EXPECT_EQ(to_cam->conv, direct_conv(alice_welcome.account, cam_welcome.account));
  EXPECT_NE(to_cam->conv, to_bob[0].conv);
}

TEST_F(V2Messaging, UnknownNameGetsAPerNameErrorAndTheOthersTheMessage) {
  auto alice = v2_login(0);
  auto bob = v2_login(1);
  ASSERT_TRUE(alice && bob);
  v2::RequestId rid = alice->send_to({user(1).name, "nobody_conf_x"}, "partly");
  auto ack = alice->expect<v2::Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->rid, rid);
  ASSERT_EQ(ack->sent.size(), 1u);
  EXPECT_EQ(ack->sent[0].to, user(1).name);
  ASSERT_EQ(ack->errors.size(), 1u);
  EXPECT_EQ(ack->errors[0].to, "nobody_conf_x");
  EXPECT_EQ(ack->errors[0].code, code::kNoSuchUser);
  auto msg = bob->expect<v2::Msg>();
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->text, "partly");
}

TEST_F(V2Messaging, AllNamesUnknownIsAnErrorListingEachName) {
  auto alice = v2_login(0);
  ASSERT_TRUE(alice);
  v2::RequestId rid = alice->send_to({"nobody_conf_x", "nobody_conf_y"}, "anyone?");
  auto error = alice->expect<v2::Error>();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rid, rid);
  EXPECT_EQ(error->code, code::kNoSuchUser);
  ASSERT_EQ(error->errors.size(), 2u);
  for (const auto& e : error->errors) {
    EXPECT_TRUE(e.to == "nobody_conf_x" || e.to == "nobody_conf_y") << e.to;
    EXPECT_EQ(e.code, code::kNoSuchUser);
  }
}

TEST_F(V2Messaging, BroadcastReachesEveryoneElse) {
  auto alice = v2_login(0);
  auto bob = v2_login(1);
  auto cam = v2_login(2);
  ASSERT_TRUE(alice && bob && cam);
  alice->send_all("good morning");
  auto ack = alice->expect<v2::Ack>();
  ASSERT_TRUE(ack);
  ASSERT_EQ(ack->sent.size(), 1u);
  EXPECT_EQ(ack->sent[0].conv, v2::kBroadcastConv);
  for (auto* other : {bob.get(), cam.get()}) {
    auto msg = other->expect<v2::Msg>();
    ASSERT_TRUE(msg);
    EXPECT_EQ(msg->conv, v2::kBroadcastConv);
    EXPECT_EQ(msg->id, ack->sent[0].id);
    EXPECT_EQ(msg->from, user(0).name);
    EXPECT_TRUE(msg->to.empty());
    EXPECT_EQ(msg->text, "good morning");
  }
  EXPECT_TRUE(alice->sync().empty()) << "a broadcast reaches every session but the sending one";
}

TEST_F(V2Messaging, ResendWithTheSameCidIsAcknowledgedAsDuplicateAndNotDeliveredAgain) {
  auto alice = v2_login(0);
  auto bob = v2_login(1);
  ASSERT_TRUE(alice && bob);
  const std::string cid = unique_cid();
  alice->send_to({user(1).name}, "once", cid);
  auto first = alice->expect<v2::Ack>();
  ASSERT_TRUE(first);
  ASSERT_TRUE(bob->expect<v2::Msg>());
  v2::RequestId rid = alice->send_to({user(1).name}, "once", cid);
  auto again = alice->expect<v2::Ack>();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->rid, rid);
  EXPECT_EQ(again->cid, cid);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->sent, first->sent) << "the original ids";
  // The re-send was answered before bob's ping is read: a second delivery would come first.
  auto before_pong = bob->sync();
  EXPECT_TRUE(before_pong.empty()) << "delivered again: " << itest::describe(before_pong.front());
}

class V2Presence : public V2Test {};

TEST_F(V2Presence, OthersHearJoinsAndLeavesAsChanges) {
  auto alice = v2_login(0);
  ASSERT_TRUE(alice);
  const std::string bob_name = user(1).name;
  // A session of an earlier test may still show until the next flush.
  ASSERT_TRUE(alice->await_online([&](const auto& online) { return !online.count(bob_name); }));
  auto bob = v2_login(1);
  ASSERT_TRUE(bob);
  auto joined =
      alice->await_presence([&](const v2::Presence& p) { return contains(p.joined, bob_name); });
  ASSERT_TRUE(joined) << "no presence change with " << bob_name << " in joined";
  EXPECT_FALSE(joined->snapshot);
  EXPECT_TRUE(bob->await_online([&](const auto& online) { return online.count(user(0).name) > 0; }))
      << "the newcomer's snapshot plus changes must show who was online";
  bob->send(v2::Logout{});
  ASSERT_TRUE(bob->expect<v2::Bye>());
  auto left =
      alice->await_presence([&](const v2::Presence& p) { return contains(p.left, bob_name); });
  ASSERT_TRUE(left) << "no presence change with " << bob_name << " in left";
}

class V2WithV1 : public V2Test {};

std::uint64_t v1_id_of(const proto::UserList& users, const std::string& name) {
  for (const auto& u : users)
    if (u.username == name) return u.user_id;
  ADD_FAILURE() << name << " is not in the v1 user list";
  return 0;
}

TEST_F(V2WithV1, V1AndV2UsersSeeEachOthersMessages) {
  auto bob = v2_login(1);
  ASSERT_TRUE(bob);
  // alice offers VERSIONS [1]; cam sends no VERSIONS at all (the original's clients may not).
  auto alice = connect();
  ASSERT_TRUE(alice);
  auto listed = alice->login(user(0).name, user(0).password);
  ASSERT_FALSE(listed.empty());
  auto cam = connect(2);
  ASSERT_TRUE(cam);
  cam->send(MsgType::Login, proto::encode_login({user(2).name, user(2).password}));
  ASSERT_TRUE(cam->expect(MsgType::LoginAck));
  const std::uint64_t bob_v1_id = v1_id_of(listed, user(1).name);

  bob->send_to({user(0).name, user(2).name}, "from v2");
  ASSERT_TRUE(bob->expect<v2::Ack>());
  for (auto* v1 : {alice.get(), cam.get()}) {
    auto pdu = v1->next();
    while (pdu && (pdu->type == MsgType::LoginBroadcast || pdu->type == MsgType::LogoutBroadcast))
      pdu = v1->next();
    ASSERT_TRUE(pdu) << (v1 == alice.get() ? user(0).name : user(2).name) << " got no message";
    ASSERT_TRUE(pdu->type == MsgType::OneToOne || pdu->type == MsgType::OneToMany)
        << proto::msg_type_name(pdu->type) << " " << pdu->msg;
    auto d = delivery_of(*pdu);
    EXPECT_EQ(d.sender_username, user(1).name);
    EXPECT_EQ(d.sender_user_id, bob_v1_id);
    EXPECT_EQ(d.msg, "from v2");
  }

  alice->send(MsgType::OneToOne, proto::encode_one_to_one({std::to_string(bob_v1_id), "from v1"}));
  auto msg = bob->expect<v2::Msg>();
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->from, user(0).name);
  EXPECT_EQ(msg->to, std::vector<std::string>{user(1).name});
  EXPECT_EQ(msg->text, "from v1");

  cam->send(MsgType::Broadcast, proto::encode_broadcast({"v1 to all"}));
  auto broadcast = bob->expect<v2::Msg>();
  ASSERT_TRUE(broadcast);
  EXPECT_EQ(broadcast->conv, v2::kBroadcastConv);
  EXPECT_EQ(broadcast->from, user(2).name);
  EXPECT_EQ(broadcast->text, "v1 to all");
}

TEST_F(V2WithV1, V1LoginForAnAccountWithV2DevicesIsRefusedAsASecondSession) {
  auto phone = v2_login(0, "conf-phone");
  ASSERT_TRUE(phone);
  auto v1 = connect();
  ASSERT_TRUE(v1);
  v1->send(MsgType::Login, proto::encode_login({user(0).name, user(0).password}));
  auto refused = v1->expect(MsgType::LoginUnsuccessfulRetry);
  ASSERT_TRUE(refused);
  EXPECT_EQ(error_of(*refused), "User already logged in. Attempts left: 2");
  auto laptop = v2_login(0, "conf-laptop");
  ASSERT_TRUE(laptop);
  v1->send(MsgType::Login, proto::encode_login({user(0).name, user(0).password}));
  refused = v1->expect(MsgType::LoginUnsuccessfulRetry);
  ASSERT_TRUE(refused);
  EXPECT_EQ(error_of(*refused), "User already logged in. Attempts left: 1");
  EXPECT_TRUE(phone->sync().empty());
  EXPECT_TRUE(laptop->sync().empty());
}

}  // namespace
}  // namespace qc::conformance
