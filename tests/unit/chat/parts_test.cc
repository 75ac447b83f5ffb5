// The pure parts: presence registry, delivery resolution, login rules.
#include <gtest/gtest.h>

#include "chat/login_flow.h"
#include "chat/message_ids.h"
#include "chat/presence.h"
#include "chat/presence_feed.h"
#include "chat/recent_sends.h"
#include "chat/router.h"

namespace qc::chat {
namespace {

TEST(Presence, KeepsLoginOrderAndNeverReusesIds) {
  Presence p;
  EXPECT_EQ(p.add("alice", 10).user_id, 1u);
  EXPECT_EQ(p.add("bob", 20).user_id, 2u);
  EXPECT_TRUE(p.remove(1, 10));
  EXPECT_FALSE(p.remove(1, 10));
  EXPECT_FALSE(p.contains_name("alice"));
  EXPECT_EQ(p.add("alice", 30).user_id, 3u);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p.user_list(), (proto::UserList{{2, "bob"}, {3, "alice"}}));
  ASSERT_NE(p.find(3), nullptr);
  EXPECT_EQ(p.find(3)->conns, std::vector<ConnHandle>{30});
  EXPECT_EQ(p.find(1), nullptr);
  EXPECT_TRUE(p.contains_name("bob"));
}

// An account is online while it has a session: more sessions share its id; names are found
// whatever their case.
TEST(Presence, AnAccountKeepsItsIdWhileAnyOfItsSessionsIsOnline) {
  Presence p;
  EXPECT_TRUE(p.add("Alice", 10, 7).came_online);
  const Presence::Added second = p.add("alice", 11, 7);
  EXPECT_FALSE(second.came_online);
  EXPECT_EQ(second.user_id, 1u);
  EXPECT_EQ(p.size(), 1u);
  EXPECT_EQ(p.sessions(), 2u);
  ASSERT_NE(p.find_name("ALICE"), nullptr);
  EXPECT_EQ(p.find_name("ALICE")->username, "Alice");
  EXPECT_FALSE(p.remove(1, 10));  // one session left
  EXPECT_TRUE(p.contains_name("alice"));
  EXPECT_TRUE(p.remove(1, 11));
  EXPECT_EQ(p.size(), 0u);
}

TEST(PresenceFeed, SendsTheNetChangeSinceTheLastFlush) {
  PresenceFeed f;
  f.changed("alice", true);
  f.flush();
  f.changed("bob", true);
  f.changed("alice", false);
  f.changed("cam", true);
  f.changed("cam", false);   // in and out within one flush: nothing to tell
  f.changed("Alice", true);  // out and back in: nothing either
  const proto::v2::Presence c = f.changes();
  EXPECT_EQ(c.joined, std::vector<std::string>{"bob"});
  EXPECT_TRUE(c.left.empty());
  EXPECT_EQ(f.flushed_online(), std::vector<std::string>{"alice"});
  f.flush();
  EXPECT_EQ(f.flushed_online(), (std::vector<std::string>{"Alice", "bob"}));
  EXPECT_FALSE(f.pending());
}

TEST(RecentSends, RemembersByAccountWithinTheWindowAndTheBound) {
  RecentSends r(std::chrono::milliseconds(1000), 2);
  const TimePoint t0{};
  proto::v2::Ack ack;
  ack.cid = "a";
  r.remember(1, ack, t0);
  EXPECT_NE(r.find(1, "a", t0), nullptr);
  EXPECT_EQ(r.find(2, "a", t0), nullptr);                                    // another account's
  EXPECT_EQ(r.find(1, "a", t0 + std::chrono::milliseconds(1000)), nullptr);  // out of the window
  for (const char* cid : {"x", "y", "z"}) {
    ack.cid = cid;
    r.remember(1, ack, t0);
  }
  EXPECT_EQ(r.find(1, "x", t0), nullptr);  // over the bound of 2: the oldest went
  EXPECT_NE(r.find(1, "z", t0), nullptr);
}

TEST(MessageIds, DirectConversationsAreNamedByBothIdsAndSequencesAscendPerConversation) {
  EXPECT_EQ(direct_conv(9, 3), "d:3:9");
  EXPECT_EQ(direct_conv(3, 9), "d:3:9");
  MemorySequencer seq(5);
  EXPECT_EQ(seq.epoch(), 5u);
  EXPECT_EQ(seq.next("all"), 1u);
  EXPECT_EQ(seq.next("d:3:9"), 1u);
  EXPECT_EQ(seq.next("all"), 2u);
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
