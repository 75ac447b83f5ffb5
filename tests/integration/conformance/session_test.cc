// Version negotiation, login, presence and logout.
#include <gtest/gtest.h>

#include "conformance/suite.h"

namespace qc::conformance {
namespace {

using proto::MsgType;

class Session : public ConformanceTest {};

TEST_F(Session, VersionsSelectsHighestCommon) {
  auto p = connect();
  ASSERT_TRUE(p);
  p->send(MsgType::Versions, proto::encode_versions_request({{1, 7}}));
  auto reply = p->expect(MsgType::Versions);
  ASSERT_TRUE(reply);
  auto v = proto::decode_versions_reply(reply->msg);
  ASSERT_TRUE(v.ok()) << reply->msg;
  EXPECT_EQ(v->selected_version, 1);
}

TEST_F(Session, VersionsWithNothingInCommonIsRefusedAndClosed) {
  auto p = connect();
  ASSERT_TRUE(p);
  p->send(MsgType::Versions, proto::encode_versions_request({{42}}));
  auto reply = p->expect(MsgType::Versions);
  ASSERT_TRUE(reply);
  auto v = proto::decode_versions_reply(reply->msg);
  ASSERT_TRUE(v.ok()) << reply->msg;
  EXPECT_EQ(v->error, "No compatible version");
  EXPECT_TRUE(p->wait_closed());
}

TEST_F(Session, LoginAckListsActiveUsersNewcomerLastAndOthersHearFirst) {
  auto alice = login(0);
  ASSERT_TRUE(alice);
  auto bob = connect(1);
  ASSERT_TRUE(bob);
  bob->send(MsgType::Login, proto::encode_login({user(1).name, user(1).password}));
  auto ack = bob->expect(MsgType::LoginAck);
  ASSERT_TRUE(ack);
  auto listed = proto::decode_user_list(ack->msg);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(names_of(*listed), (std::vector<std::string>{user(0).name, user(1).name}));
  EXPECT_LT((*listed)[0].user_id, (*listed)[1].user_id);
  auto heard = alice->expect(MsgType::LoginBroadcast);
  ASSERT_TRUE(heard);
  auto heard_list = proto::decode_user_list(heard->msg);
  ASSERT_TRUE(heard_list.ok());
  EXPECT_EQ(*heard_list, *listed);
}

TEST_F(Session, ThreeWrongPasswordsDisconnect) {
  auto p = connect();
  ASSERT_TRUE(p);
  for (int left = 2; left >= 1; --left) {
    p->send(MsgType::Login, proto::encode_login({user(0).name, "wrong"}));
    auto retry = p->expect(MsgType::LoginUnsuccessfulRetry);
    ASSERT_TRUE(retry);
    EXPECT_EQ(error_of(*retry), "Invalid credentials. Attempts left: " + std::to_string(left));
  }
  p->send(MsgType::Login, proto::encode_login({user(0).name, "wrong"}));
  auto last = p->expect(MsgType::LoginUnsuccessfulDisconnect);
  ASSERT_TRUE(last);
  EXPECT_EQ(error_of(*last), "Maximum login attempts exceeded.");
  EXPECT_TRUE(p->wait_closed());
}

TEST_F(Session, UnknownUserIsJustInvalidCredentials) {
  auto p = connect();
  ASSERT_TRUE(p);
  p->send(MsgType::Login, proto::encode_login({"nobody_here", "x"}));
  auto retry = p->expect(MsgType::LoginUnsuccessfulRetry);
  ASSERT_TRUE(retry);
  EXPECT_EQ(error_of(*retry), "Invalid credentials. Attempts left: 2");
}

TEST_F(Session, RetryAfterAWrongPasswordSucceeds) {
  auto p = connect(2);
  ASSERT_TRUE(p);
  p->send(MsgType::Login, proto::encode_login({user(2).name, "wrong"}));
  ASSERT_TRUE(p->expect(MsgType::LoginUnsuccessfulRetry));
  p->send(MsgType::Login, proto::encode_login({user(2).name, user(2).password}));
  EXPECT_TRUE(p->expect(MsgType::LoginAck));
}

TEST_F(Session, LoginRetryWindowExpires) {
  if (!config().login_retry_window) GTEST_SKIP() << "--login-retry-window-ms not given";
  auto p = connect();
  ASSERT_TRUE(p);
  p->send(MsgType::Login, proto::encode_login({user(0).name, "wrong"}));
  ASSERT_TRUE(p->expect(MsgType::LoginUnsuccessfulRetry));
  auto timeout = p->expect(MsgType::LoginUnsuccessfulDisconnect,
                           *config().login_retry_window + std::chrono::seconds(5));
  ASSERT_TRUE(timeout);
  EXPECT_EQ(error_of(*timeout), "Login timeout. Please try again.");
  EXPECT_TRUE(p->wait_closed());
}

TEST_F(Session, DuplicateLoginIsRefusedWithRetry) {
  auto first = login(0);
  ASSERT_TRUE(first);
  auto second = connect(1);  // in a cluster, on another node than the first
  ASSERT_TRUE(second);
  second->send(MsgType::Login, proto::encode_login({user(0).name, user(0).password}));
  auto retry = second->expect(MsgType::LoginUnsuccessfulRetry);
  ASSERT_TRUE(retry);
  EXPECT_EQ(error_of(*retry), "User already logged in. Attempts left: 2");
}

TEST_F(Session, LogoutBroadcastsThenAcksThenCloses) {
  auto alice = login(0);
  auto bob = login(1);
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->expect(MsgType::LoginBroadcast));
  bob->send(MsgType::Logout, std::string(proto::kLogoutText));
  auto left = alice->expect(MsgType::LogoutBroadcast);
  ASSERT_TRUE(left);
  auto users = proto::decode_user_list(left->msg);
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(names_of(*users), std::vector<std::string>{user(0).name});
  auto ack = bob->expect(MsgType::LogoutAck);
  ASSERT_TRUE(ack);
  auto sys = proto::decode_sys(ack->msg);
  ASSERT_TRUE(sys.ok());
  EXPECT_EQ(sys->sys, "Logout successful");
  EXPECT_TRUE(bob->wait_closed());
}

TEST_F(Session, UserIdsAreNeverReused) {
  auto alice = login(0);
  ASSERT_TRUE(alice);
  alice->send(MsgType::Logout, std::string(proto::kLogoutText));
  ASSERT_TRUE(alice->expect(MsgType::LogoutAck));
  auto again = connect();
  ASSERT_TRUE(again);
  auto first_ids = again->login(user(0).name, user(0).password);
  ASSERT_FALSE(first_ids.empty());
  auto third = login(1);
  ASSERT_TRUE(third);
  auto joined = again->expect(MsgType::LoginBroadcast);
  ASSERT_TRUE(joined);
  auto list = proto::decode_user_list(joined->msg);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_GT((*list)[1].user_id, (*list)[0].user_id);
}

TEST_F(Session, FixedDefect_ConnectionLossEndsTheSession) {
  auto alice = login(0);
  auto bob = login(1);
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->expect(MsgType::LoginBroadcast));
  bob->close(0, "gone without logout");
  auto left = alice->expect(MsgType::LogoutBroadcast);
  ASSERT_TRUE(left);
  auto users = proto::decode_user_list(left->msg);
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(names_of(*users), std::vector<std::string>{user(0).name});
  EXPECT_TRUE(login(1)) << "the name must be free again";
}

TEST_F(Session, FixedDefect_SilentSessionIsClosedByKeepAliveTimeout) {
  if (!config().keepalive_timeout) GTEST_SKIP() << "--keepalive-timeout-ms not given";
  auto alice = login(0);
  auto bob = login(1);
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->expect(MsgType::LoginBroadcast));
  // alice keeps talking; bob falls silent.
  auto deadline = std::chrono::steady_clock::now() + *config().keepalive_timeout * 3;
  bool bob_gone = false;
  while (!bob_gone && std::chrono::steady_clock::now() < deadline) {
    alice->send(MsgType::Alive, std::string(proto::kAliveText));
    auto pdu = alice->next(*config().keepalive_timeout / 4);
    if (pdu && pdu->type == MsgType::LogoutBroadcast) bob_gone = true;
  }
  EXPECT_TRUE(bob_gone) << "the silent session was not ended";
  EXPECT_TRUE(bob->wait_closed());
  EXPECT_FALSE(alice->closed()) << "the active session must survive";
}

TEST_F(Session, FixedDefect_SecondLoginOnAnAuthenticatedSessionIsRefused) {
  auto alice = login(0);
  ASSERT_TRUE(alice);
  alice->send(MsgType::Login, proto::encode_login({user(1).name, user(1).password}));
  auto refused = alice->expect(MsgType::MsgUnsuccessful);
  ASSERT_TRUE(refused);
  auto bob = login(1);
  EXPECT_TRUE(bob) << "the second LOGIN must not have created a user";
}

TEST_F(Session, FixedDefect_AliveDuringRetryWindowIsNotCredentials) {
  auto p = connect();
  ASSERT_TRUE(p);
  p->send(MsgType::Login, proto::encode_login({user(0).name, "wrong"}));
  ASSERT_TRUE(p->expect(MsgType::LoginUnsuccessfulRetry));
  p->send(MsgType::Alive, std::string(proto::kAliveText));
  auto reply = p->expect(MsgType::MsgUnsuccessful);
  ASSERT_TRUE(reply);
  EXPECT_EQ(error_of(*reply), "User not authenticated");
  p->send(MsgType::Login, proto::encode_login({user(0).name, user(0).password}));
  EXPECT_TRUE(p->expect(MsgType::LoginAck));
}

}  // namespace
}  // namespace qc::conformance
