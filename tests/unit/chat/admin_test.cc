// Operators: the logged-in sessions, and kicking one (a logout for everyone else, a close with
// code Kicked and the operator's reason for the kicked user).
#include <gtest/gtest.h>

#include <algorithm>

#include "harness.h"

namespace qc::chat::testing {
namespace {

TEST(CoreAdmin, ListsLoggedInSessionsInLoginOrder) {
  Harness h;
  h.join(1, "alice");
  h.advance(5s);
  h.join(2, "bob");
  h.open(3);  // connected, not logged in: not listed
  const std::vector<SessionInfo> sessions = h.core.logged_in_sessions();
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0].username, "alice");
  EXPECT_EQ(sessions[0].user_id, 1u);
  EXPECT_EQ(sessions[0].conn, 1u);
  EXPECT_EQ(sessions[0].peer, "127.0.0.1:1");
  EXPECT_EQ(sessions[0].connected_at, TimePoint{});
  EXPECT_EQ(sessions[1].username, "bob");
  EXPECT_EQ(sessions[1].connected_at, TimePoint{} + 5s);
}

TEST(CoreAdmin, KickClosesTheSessionAndTellsTheOthers) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob");
  h.join(3, "cam");
  h.drain();
  EXPECT_TRUE(h.core.kick("bob", "spamming", h.now));
  EXPECT_EQ(h.drain(),
            (Lines{"1 LOGOUT_BROADCAST 1:alice,3:cam", "3 LOGOUT_BROADCAST 1:alice,3:cam",
                   "2 CLOSE 8 kicked by the operator: spamming"}));
  EXPECT_EQ(render_users(h.core.active_users()), "1:alice,3:cam");
  EXPECT_EQ(h.core.stats().kicks, 1u);
  h.feed(2, broadcast_pdu("still here?"));
  EXPECT_EQ(h.drain(), Lines{}) << "no input after the close";
  h.close(2);
  EXPECT_EQ(h.drain(), Lines{}) << "the transport's close does not announce bob twice";
  h.feed(1, broadcast_pdu("bye bob"));
  EXPECT_EQ(h.drain(), (Lines{"1 BROADCAST alice(1): bye bob", "3 BROADCAST alice(1): bye bob"}));
}

TEST(CoreAdmin, KickWithoutReasonSaysWho) {
  Harness h;
  h.join(1, "alice");
  h.drain();
  EXPECT_TRUE(h.core.kick("alice", "", h.now));
  EXPECT_EQ(h.drain(), (Lines{"1 CLOSE 8 kicked by the operator"}));
}

TEST(CoreAdmin, KickOfSomeoneNotLoggedInDoesNothing) {
  Harness h;
  h.join(1, "alice");
  h.open(2);
  h.feed(2, login_pdu("bob", "p2"));  // password check in flight: not logged in yet
  h.drain();
  EXPECT_FALSE(h.core.kick("bob", "x", h.now));
  EXPECT_FALSE(h.core.kick("zed", "x", h.now));
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(h.core.stats().kicks, 0u);
}

// Every device of the account is closed; the operator's action has the one info line (the
// admin socket's), so the core's lines for each close are debug.
TEST(CoreAdmin, KickClosesEveryDeviceAndLogsEachCloseAtDebugOnly) {
  std::vector<std::pair<log::Level, std::string>> lines;
  CoreConfig config;
  config.log_sink = [&lines](log::Level level, std::string_view event,
                             std::initializer_list<log::Field>) {
    lines.emplace_back(level, std::string(event));
  };
  Harness h(config);
  h.join_v2(1, "alice", "laptop");
  h.join_v2(2, "alice", "phone");
  h.join_v2(3, "bob");
  h.drain();
  lines.clear();
  EXPECT_EQ(h.core.kick("ALICE", "account deleted", h.now), 2u);
  const Lines out = h.drain();
  EXPECT_NE(std::find(out.begin(), out.end(), "1 CLOSE 8 kicked by the operator: account deleted"),
            out.end());
  EXPECT_NE(std::find(out.begin(), out.end(), "2 CLOSE 8 kicked by the operator: account deleted"),
            out.end());
  ASSERT_FALSE(lines.empty());
  for (const auto& [level, event] : lines) EXPECT_EQ(level, log::Level::Debug) << event;
  EXPECT_EQ(h.core.stats().kicks, 2u);
}

TEST(CoreAdmin, AKickedUserCanLogInAgain) {
  Harness h;
  h.join(1, "alice");
  EXPECT_TRUE(h.core.kick("alice", "", h.now));
  h.close(1);
  h.drain();
  h.join(2, "alice");
  EXPECT_EQ(render_users(h.core.active_users()), "2:alice");
}

// A login whose password check is in flight when the account's sessions are ended (passwd and
// delete end them too) may have read the old hash: it is refused without using an attempt, and
// the next one is checked afresh.
TEST(CoreAdmin, ALoginInCheckWhenTheSessionsEndIsRefusedAndMayRetry) {
  Harness h;
  h.open(1);
  h.feed(1, login_pdu("alice", "old-pw"));
  const std::uint64_t ticket = h.last_ticket();
  ASSERT_NE(ticket, 0u);
  h.drain();
  EXPECT_EQ(h.core.kick("alice", "password changed", h.now), 0u);
  h.core.password_checked(1, ticket, PasswordCheck::Ok, h.now);
  const Lines refused = h.drain();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].find("Login interrupted"), std::string::npos) << refused[0];
  EXPECT_EQ(h.core.stats().interrupted_logins, 1u);
  EXPECT_EQ(h.core.stats().failed_logins, 0u);
  EXPECT_TRUE(h.core.active_users().empty());

  h.attempt(1, "alice", true);
  EXPECT_EQ(render_users(h.core.active_users()), "1:alice");
}

TEST(CoreAdmin, AV2LoginInCheckWhenTheSessionsEndGetsLoginInterrupted) {
  Harness h;
  h.open(1);
  h.feed(1, versions_pdu({1, 2}));
  h.drain();
  h.feed(1, proto::v2::encode_frame(proto::v2::Login{4, "alice", "old-pw", "lap"}));
  const std::uint64_t ticket = h.last_ticket();
  h.drain();
  h.core.kick("ALICE", "", h.now);  // any spelling of the name
  h.core.password_checked(1, ticket, PasswordCheck::Ok, h.now, {1, "alice"});
  const Lines refused = h.drain();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].find(R"("rid":4,"code":"login_interrupted")"), std::string::npos)
      << refused[0];
}

}  // namespace
}  // namespace qc::chat::testing
