// The pure parts: presence registry, delivery resolution, login rules.
#include <gtest/gtest.h>

#include "chat/login_flow.h"
#include "chat/presence.h"
#include "chat/router.h"

namespace qc::chat {
namespace {

TEST(Presence, KeepsLoginOrderAndNeverReusesIds) {
  Presence p;
  EXPECT_EQ(p.add("alice", 10), 1u);
  EXPECT_EQ(p.add("bob", 20), 2u);
  EXPECT_TRUE(p.remove(1));
  EXPECT_FALSE(p.remove(1));
  EXPECT_FALSE(p.contains_name("alice"));
  EXPECT_EQ(p.add("alice", 30), 3u);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p.user_list(), (proto::UserList{{2, "bob"}, {3, "alice"}}));
  ASSERT_NE(p.find(3), nullptr);
  EXPECT_EQ(p.find(3)->conn, 30u);
  EXPECT_EQ(p.find(1), nullptr);
  EXPECT_TRUE(p.contains_name("bob"));
}

TEST(Router, OneTarget) {
  Presence p;
  p.add("alice", 10);
  EXPECT_EQ(route_one(p, "1").recipients, std::vector<ConnHandle>{10});
  EXPECT_EQ(route_one(p, " 1 ").recipients, std::vector<ConnHandle>{10});
  EXPECT_EQ(route_one(p, "2").errors, std::vector<std::string>{"Target user not available"});
  EXPECT_EQ(route_one(p, "1a").errors, std::vector<std::string>{"Invalid target user id '1a'"});
}

TEST(Router, ManyTargets) {
  Presence p;
  p.add("alice", 10);
  p.add("bob", 20);
  const Routing r = route_many(p, "2,1,,2,5,5,y");
  EXPECT_EQ(r.recipients, (std::vector<ConnHandle>{20, 10}));
  EXPECT_EQ(r.errors,
            (std::vector<std::string>{"Invalid target user id ''", "Target user not available",
                                      "Invalid target user id 'y'"}));
}

TEST(LoginFlow, UsernameRules) {
  EXPECT_TRUE(valid_username("a"));
  EXPECT_TRUE(valid_username("Alice_1.x-y"));
  EXPECT_TRUE(valid_username(std::string(32, 'z')));
  EXPECT_FALSE(valid_username(""));
  EXPECT_FALSE(valid_username(std::string(33, 'z')));
  EXPECT_FALSE(valid_username("a b"));
  EXPECT_FALSE(valid_username("\xc3\xa9t\xc3\xa9"));
}

TEST(LoginFlow, FailedAttemptReplies) {
  FailedLoginReply r = failed_login_reply(LoginFailure::InvalidCredentials, 1, 3);
  EXPECT_EQ(r.type, proto::MsgType::LoginUnsuccessfulRetry);
  EXPECT_EQ(r.error, "Invalid credentials. Attempts left: 2");
  EXPECT_FALSE(r.disconnect);
  r = failed_login_reply(LoginFailure::AlreadyLoggedIn, 2, 3);
  EXPECT_EQ(r.error, "User already logged in. Attempts left: 1");
  r = failed_login_reply(LoginFailure::AlreadyLoggedIn, 3, 3);
  EXPECT_EQ(r.type, proto::MsgType::LoginUnsuccessfulDisconnect);
  EXPECT_EQ(r.error, "Maximum login attempts exceeded.");
  EXPECT_TRUE(r.disconnect);
}

TEST(LoginFlow, ServerBusyUsesNoAttempt) {
  EXPECT_FALSE(counts_as_attempt(LoginFailure::Busy));
  EXPECT_TRUE(counts_as_attempt(LoginFailure::Throttled));
  EXPECT_TRUE(counts_as_attempt(LoginFailure::InvalidCredentials));
  FailedLoginReply r = failed_login_reply(LoginFailure::Busy, 2, 3);
  EXPECT_EQ(r.type, proto::MsgType::LoginUnsuccessfulRetry);
  EXPECT_EQ(r.error, "Server busy. Try again later.");
  EXPECT_FALSE(r.disconnect);
}

}  // namespace
}  // namespace qc::chat
