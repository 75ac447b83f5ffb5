// History over v2 with stored messages: the login catch-up (offline delivery and resume) with no
// gap and no duplicate against live deliveries, history pages and who may read them, and read
// cursors shared by an account's devices. The store is tests/unit/chat/fake_store.h.
#include <gtest/gtest.h>

#include "chat/presence.h"
#include "harness.h"

namespace qc::chat::testing {
namespace {

namespace v2 = proto::v2;

class Named final : public AccountDirectory {
 public:
  std::optional<AccountRef> find(std::string_view name) override {
    if (name_key(name) == "bob") return AccountRef{2, "bob"};
    return std::nullopt;
  }
};

CoreConfig stored_config() {
  CoreConfig c;
  c.store_messages = true;
  c.directory = std::make_shared<Named>();
  c.history_page_default = 2;
  c.history_page_max = 3;
  return c;
}

class History : public ::testing::Test {
 protected:
  Harness h{stored_config()};
  // alice (1) sends `n` messages to bob (2), who is offline.
  void alice_sends(int n) {
    for (int i = 1; i <= n; ++i)
      h.feed_frame(1, v2::Send{static_cast<std::uint64_t>(i), {"bob"}, {}, "m" + std::to_string(i), ""});
    h.drain();
  }
  std::uint64_t rid = 100;
};

TEST_F(History, OfflineMessagesArriveAtLoginThenSynced) {
  h.join_v2(1, "alice");
  h.account_id("bob");
  alice_sends(2);
  h.open_v2(2);
  EXPECT_EQ(
      h.attempt_v2(2, "bob", "phone", 9),
      (Lines{
          R"(2 {"t":"welcome","rid":9,"user":"bob","account":2,"device":"phone","ts":0})",
          R"(2 {"t":"presence","snapshot":true,"online":[]})",  // as of the last flush
          R"(2 {"t":"page","conv":"d:1:2","msgs":[{"conv":"d:1:2","id":1,"epoch":1,"ts":0,"from":"alice","to":["bob"],"text":"m1"},{"conv":"d:1:2","id":2,"epoch":1,"ts":0,"from":"alice","to":["bob"],"text":"m2"}],"unread":2})",
          R"(2 {"t":"synced","rid":9,"unread":{"d:1:2":2}})"}));
  EXPECT_EQ(h.core.stats().offline_deliveries, 2u);
  // A second device gets them too (nothing is consumed by one device).
  h.open_v2(3);
  const Lines second = h.attempt_v2(3, "bob", "desk", 10);
  ASSERT_EQ(second.size(), 4u);
  EXPECT_NE(second[2].find(R"("text":"m2")"), std::string::npos);
}

TEST_F(History, ResumeReadsAfterTheIdTheClientGives) {
  h.join_v2(1, "alice");
  h.account_id("bob");
  alice_sends(3);
  h.open_v2(2);
  h.feed_frame(2, v2::Login{9, "bob", "pw-bob", "phone", {{"d:1:2", 2}}});
  const std::uint64_t ticket = h.last_ticket();
  h.drain();
  h.core.password_checked(2, ticket, PasswordCheck::Ok, h.now, {2, "bob"});
  const Lines lines = h.drain();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(
      lines[2],
      R"(2 {"t":"page","conv":"d:1:2","msgs":[{"conv":"d:1:2","id":3,"epoch":1,"ts":0,"from":"alice","to":["bob"],"text":"m3"}],"unread":3})");
}

// The store answers in order: a message committed before the catch-up's read is in it and not
// delivered live; one committed after is delivered live. No gap, no duplicate.
TEST_F(History, CatchUpAndLiveDeliveriesNeitherOverlapNorLeaveAGap) {
  h.join_v2(1, "alice");
  h.join_v2(2, "bob", "lap");
  h.drain();
  h.auto_store = false;
  h.feed_frame(1, v2::Send{1, {"bob"}, {}, "before", ""});
  EXPECT_EQ(h.drain(), (Lines{"STORE append(d:1:2)"}));
  h.open_v2(3);
  h.feed_frame(3, v2::Login{9, "bob", "pw-bob", "phone"});
  const std::uint64_t ticket = h.last_ticket();
  h.drain();
  h.core.password_checked(3, ticket, PasswordCheck::Ok, h.now, {2, "bob"});
  EXPECT_EQ(h.drain(),
            (Lines{R"(3 {"t":"welcome","rid":9,"user":"bob","account":2,"device":"phone","ts":0})",
                   R"(3 {"t":"presence","snapshot":true,"online":[]})",
                   "STORE enroll(2,all)", "READ catch_up(2)"}));
  h.feed_frame(1, v2::Send{2, {"bob"}, {}, "after", ""});
  EXPECT_EQ(h.drain(), (Lines{"STORE append(d:1:2)"}));
  // "before" commits: bob's laptop gets it live, the phone (catching up) does not.
  Lines lines = h.release(1);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].substr(0, 2), "2 ");
  h.release(1);  // enroll
  lines = h.release(1);  // the catch-up: "before" is in it
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(R"("text":"before")"), std::string::npos);
  EXPECT_EQ(lines[0].find(R"("text":"after")"), std::string::npos);
  EXPECT_EQ(lines[1], R"(3 {"t":"synced","rid":9,"unread":{"d:1:2":1}})");
  lines = h.release(1);  // "after" commits: live to both of bob's devices
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].substr(0, 2), "2 ");
  EXPECT_EQ(lines[1].substr(0, 2), "3 ");
  EXPECT_NE(lines[1].find(R"("text":"after")"), std::string::npos);
}

TEST_F(History, PagesAndWhoMayReadThem) {
  h.join_v2(1, "alice");
  h.join_v2(2, "bob");
  h.join_v2(3, "cam");
  h.drain();
  alice_sends(4);
  h.feed_frame(2, v2::History{1, {}, "alice", std::nullopt, std::nullopt, 0});
  Lines lines = h.drain();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("rid":1,"conv":"d:1:2")"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("id":3)"), std::string::npos);  // the latest 2 (the default)
  EXPECT_NE(lines[0].find(R"("more":true)"), std::string::npos);
  h.feed_frame(2, v2::History{2, "d:1:2", {}, 3, std::nullopt, 9});  // capped at 3
  lines = h.drain();
  EXPECT_NE(lines[0].find(R"("id":1)"), std::string::npos);
  EXPECT_EQ(lines[0].find(R"("id":3)"), std::string::npos);
  h.feed_frame(3, v2::History{3, "d:1:2", {}, std::nullopt, std::nullopt, 0});
  EXPECT_EQ(
      h.drain(),
      (Lines{R"(3 {"t":"error","rid":3,"code":"no_such_conv","text":"no conversation 'd:1:2'"})"}));
  h.feed_frame(3, v2::History{4, "#team", {}, std::nullopt, std::nullopt, 0});
  EXPECT_EQ(h.drain(),
            (Lines{R"(3 {"t":"error","rid":4,"code":"no_such_room","text":"no room '#team'"})"}));
  h.feed_frame(1, v2::Join{5, "#team"});
  h.drain();
  h.feed_frame(3, v2::History{6, "#team", {}, std::nullopt, std::nullopt, 0});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(3 {"t":"error","rid":6,"code":"not_member","text":"you are not a member of #team"})"}));
  h.feed_frame(3, v2::History{7, "all", {}, 1, 2, 0});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(3 {"t":"error","rid":7,"code":"bad_frame","text":"give at most one of 'before' and 'after'"})"}));
  h.store.fail_reads = history::Status::Failed;
  h.feed_frame(3, v2::History{8, "all", {}, std::nullopt, std::nullopt, 0});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(3 {"t":"error","rid":8,"code":"store_failed","text":"the server could not store it"})"}));
  EXPECT_EQ(h.core.stats().history_reads, 4u);  // 3 history frames got to the store, + the join's
}

TEST_F(History, AReadCursorIsStoredThenSharedWithTheAccountsOtherDevices) {
  h.join_v2(1, "alice", "lap");
  h.join_v2(2, "alice", "phone");
  h.join_v2(3, "bob");
  h.drain();
  h.auto_store = false;
  h.feed_frame(1, v2::Read{4, "d:1:2", 17});
  EXPECT_EQ(h.drain(), (Lines{"STORE cursor(d:1:2,17)"}));
  EXPECT_EQ(h.release(), (Lines{R"(1 {"t":"ok","rid":4})",
                                R"(2 {"t":"cursor","conv":"d:1:2","id":17})"}));
  EXPECT_EQ(h.store.cursor(1, "d:1:2"), 17u);
  h.feed_frame(3, v2::Read{5, "d:1:3", 1});
  EXPECT_EQ(
      h.drain(),
      (Lines{R"(3 {"t":"error","rid":5,"code":"no_such_conv","text":"no conversation 'd:1:3'"})"}));
}

// Joining a room: `room`, then a page of its latest messages; messages committed while that page
// is read are in it, not delivered live as well.
TEST_F(History, TheJoinPageAndLiveMessagesDoNotOverlap) {
  h.join_v2(1, "alice");
  h.join_v2(2, "bob");
  h.feed_frame(1, v2::Join{1, "#team"});
  h.drain();
  h.feed_frame(1, v2::Send{2, {}, "#team", "old", ""});
  h.drain();
  h.auto_store = false;
  h.feed_frame(2, v2::Join{3, "#team"});
  h.feed_frame(1, v2::Send{4, {}, "#team", "during", ""});
  EXPECT_EQ(h.drain(), (Lines{"STORE add(#team,2)", "STORE append(#team)"}));
  Lines lines = h.release(1);  // bob is a member: room, the page's read, the event to alice
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], "READ page(#team)");
  lines = h.release(1);  // "during" commits before the page's read: not live to bob
  EXPECT_EQ(lines, (Lines{R"(1 {"t":"ack","rid":4,"epoch":1,"ts":0,"sent":[{"conv":"#team","id":2}]})"}));
  lines = h.release(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("text":"old")"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("text":"during")"), std::string::npos);
  h.feed_frame(1, v2::Send{5, {}, "#team", "later", ""});
  h.drain();
  lines = h.release();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].substr(0, 2), "2 ");  // live again
}

// The catch-up's read refused: an error naming the login's rid; the session stays and gets live
// traffic from then on.
TEST_F(History, ARefusedCatchUpIsAnErrorAndLiveTrafficFollows) {
  h.join_v2(1, "alice");
  h.drain();
  h.store.fail_reads = history::Status::QueueFull;
  h.open_v2(2);
  const Lines login = h.attempt_v2(2, "bob", "phone", 9);
  ASSERT_EQ(login.size(), 3u);
  EXPECT_EQ(
      login[2],
      R"(2 {"t":"error","rid":9,"code":"store_full","text":"the messages since your last session: the server's message store is busy: try again later"})");
  h.store.fail_reads = history::Status::Ok;
  h.feed_frame(1, v2::Send{1, {"bob"}, {}, "live", ""});
  const Lines lines = h.drain();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].substr(0, 2), "2 ");
}

// A session that closes while its catch-up is read gets nothing when the answer comes.
TEST_F(History, AnAnswerForASessionThatHasGoneIsDropped) {
  h.join_v2(1, "alice");
  h.drain();
  h.auto_store = false;
  h.open_v2(2);
  h.feed_frame(2, v2::Login{9, "bob", "pw-bob", "phone"});
  const std::uint64_t ticket = h.last_ticket();
  h.drain();
  h.core.password_checked(2, ticket, PasswordCheck::Ok, h.now, {2, "bob"});
  h.drain();
  h.close(2);
  h.drain();
  EXPECT_EQ(h.core.stats().store_requests_in_flight, 2u);
  EXPECT_EQ(h.release(), Lines{});
  EXPECT_EQ(h.core.stats().store_requests_in_flight, 0u);
  h.feed_frame(1, v2::Send{1, {}, "all", "x", ""});
  EXPECT_EQ(h.drain(), (Lines{"STORE append(all)"}));
  EXPECT_EQ(h.release().size(), 1u);  // the ack only
}

}  // namespace
}  // namespace qc::chat::testing
