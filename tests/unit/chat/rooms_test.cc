// Rooms: the in-memory table alone, then join/leave/rooms/topic/members/remove over v2 with the
// store answering (tests/unit/chat/fake_store.h), their limits and typed errors.
#include <gtest/gtest.h>

#include "chat/rooms.h"
#include "harness.h"

namespace qc::chat::testing {
namespace {

namespace v2 = proto::v2;

TEST(RoomKey, NamesAreHashAndUpTo32SafeCharactersAndCaseInsensitive) {
  EXPECT_EQ(room_key("#Team"), "#team");
  EXPECT_EQ(room_key("#a.b-c_9"), "#a.b-c_9");
  EXPECT_EQ(room_key("#" + std::string(32, 'x')), "#" + std::string(32, 'x'));
  EXPECT_EQ(room_key("#" + std::string(33, 'x')), std::nullopt);
  EXPECT_EQ(room_key("#"), std::nullopt);
  EXPECT_EQ(room_key("team"), std::nullopt);
  EXPECT_EQ(room_key("#te am"), std::nullopt);
  EXPECT_EQ(room_key("#t\xc3\xa9"), std::nullopt);
}

TEST(RoomTable, LoadsStoredRoomsAndCountsRoomsPerAccount) {
  RoomTable t({{"#team", "#Team", "release", 1, "alice", {1, 2}, {"alice", "bob"}},
               {"#ops", "#ops", "", 2, "bob", {2}, {"bob"}}});
  ASSERT_NE(t.find("#team"), nullptr);
  EXPECT_EQ(t.find("#team")->name, "#Team");
  EXPECT_EQ(t.find("#team")->topic, "release");
  EXPECT_TRUE(t.find("#team")->has(2));
  EXPECT_EQ(t.rooms_of(1), 1u);
  EXPECT_EQ(t.rooms_of(2), 2u);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.all().front()->key, "#ops");  // by key
}

TEST(RoomTable, ChangesApplyOnlyWhereTheyMakeSense) {
  RoomTable t;
  EXPECT_TRUE(t.create("#a", "#A", 1, "alice"));
  EXPECT_FALSE(t.create("#a", "#a", 2, "bob"));
  EXPECT_TRUE(t.add("#a", 1, "alice"));
  EXPECT_FALSE(t.add("#a", 1, "alice"));
  EXPECT_FALSE(t.add("#b", 1, "alice"));
  EXPECT_EQ(t.rooms_of(1), 1u);
  EXPECT_TRUE(t.remove("#a", 1));
  EXPECT_FALSE(t.remove("#a", 1));
  EXPECT_EQ(t.rooms_of(1), 0u);
  EXPECT_TRUE(t.add("#a", 2, "bob"));
  EXPECT_TRUE(t.set_topic("#a", "x"));
  EXPECT_TRUE(t.erase("#a"));
  EXPECT_EQ(t.rooms_of(2), 0u);
  EXPECT_EQ(t.find("#a"), nullptr);
}

CoreConfig room_config() {
  CoreConfig c;
  c.max_rooms_per_account = 2;
  c.max_room_members = 3;
  c.max_topic_bytes = 8;
  return c;
}

class Rooms : public ::testing::Test {
 protected:
  void SetUp() override {
    h.join_v2(1, "alice", "lap");
    h.join_v2(2, "bob");
    h.join_v2(3, "alice", "phone");
    h.drain();
  }
  Harness h{room_config()};
};

TEST_F(Rooms, JoinCreatesTheRoomAfterTheStoreAnswersAndTellsTheOtherDevices) {
  h.auto_store = false;
  h.feed_frame(1, v2::Join{6, "#Team"});
  EXPECT_EQ(h.drain(), (Lines{"STORE create(#team) add(#team,1)"}));
  EXPECT_EQ(
      h.release(),
      (Lines{
          R"(1 {"t":"room","rid":6,"room":"#Team","conv":"#team","op":"alice","members":1,"member":true,"created":true})",
          R"(1 {"t":"page","rid":6,"conv":"#team","msgs":[]})",
          R"(3 {"t":"room_event","room":"#Team","event":"join","user":"alice"})"}));
  h.feed_frame(2, v2::Join{7, "#TEAM"});
  EXPECT_EQ(h.drain(), (Lines{"STORE add(#team,2)"}));
  EXPECT_EQ(
      h.release(),
      (Lines{
          R"(2 {"t":"room","rid":7,"room":"#Team","conv":"#team","op":"alice","members":2,"member":true})",
          R"(2 {"t":"page","rid":7,"conv":"#team","msgs":[]})",
          R"(1 {"t":"room_event","room":"#Team","event":"join","user":"bob"})",
          R"(3 {"t":"room_event","room":"#Team","event":"join","user":"bob"})"}));
  EXPECT_EQ(h.core.stats().rooms, 1u);
  EXPECT_EQ(h.store.room_members["#team"], (std::set<std::uint64_t>{1, 2}));
}

TEST_F(Rooms, ListMembersTopicLeaveAndRemove) {
  h.feed_frame(1, v2::Join{1, "#team"});
  h.feed_frame(2, v2::Join{2, "#team"});
  h.drain();
  h.feed_frame(2, v2::ListRooms{3});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(2 {"t":"room_list","rid":3,"rooms":[{"room":"#team","op":"alice","members":2,"member":true}]})"}));
  h.feed_frame(2, v2::ListMembers{4, "#Team"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(2 {"t":"member_list","rid":4,"room":"#team","op":"alice","members":["alice","bob"],"online":["alice","bob"]})"}));
  h.feed_frame(2, v2::SetTopic{5, "#team", "x"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(2 {"t":"error","rid":5,"code":"not_operator","text":"only #team's operator sets its topic"})"}));
  h.feed_frame(1, v2::SetTopic{6, "#team", "123456789"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":6,"code":"topic_too_long","text":"topic too long: limit is 8 bytes"})"}));
  h.feed_frame(1, v2::SetTopic{7, "#team", "ship it"});
  EXPECT_EQ(
      h.drain(),
      (Lines{R"(1 {"t":"ok","rid":7})",
             R"(3 {"t":"room_event","room":"#team","event":"topic","user":"alice","by":"alice","topic":"ship it"})",
             R"(2 {"t":"room_event","room":"#team","event":"topic","user":"alice","by":"alice","topic":"ship it"})"}));
  h.feed_frame(2, v2::RemoveMember{8, "#team", "alice"});
  EXPECT_EQ(h.drain().size(), 1u);  // not_operator
  h.feed_frame(1, v2::RemoveMember{9, "#team", "BOB"});
  EXPECT_EQ(
      h.drain(),
      (Lines{R"(1 {"t":"ok","rid":9})",
             R"(3 {"t":"room_event","room":"#team","event":"remove","user":"bob","by":"alice"})",
             R"(2 {"t":"room_event","room":"#team","event":"remove","user":"bob","by":"alice"})"}));
  h.feed_frame(1, v2::RemoveMember{10, "#team", "bob"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":10,"code":"not_member","text":"bob is not a member of #team"})"}));
  h.feed_frame(3, v2::Leave{11, "#team"});  // alice's phone: the account leaves
  EXPECT_EQ(h.drain(),
            (Lines{R"(3 {"t":"ok","rid":11})",
                   R"(1 {"t":"room_event","room":"#team","event":"leave","user":"alice"})"}));
  h.feed_frame(1, v2::Leave{12, "#team"});
  EXPECT_EQ(
      h.drain(),
      (Lines{R"(1 {"t":"error","rid":12,"code":"not_member","text":"you are not a member of #team"})"}));
  EXPECT_EQ(h.core.rooms().front().members, 0u);
}

TEST_F(Rooms, LimitsAndBadNamesAreTypedErrors) {
  h.feed_frame(1, v2::Join{1, "team"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":1,"code":"bad_room_name","text":"a room name is '#' and 1-32 characters of A-Z a-z 0-9 _ . -"})"}));
  h.feed_frame(1, v2::Leave{2, "#none"});
  EXPECT_EQ(h.drain(),
            (Lines{R"(1 {"t":"error","rid":2,"code":"no_such_room","text":"no room '#none'"})"}));
  h.feed_frame(1, v2::Join{3, "#a"});
  h.feed_frame(1, v2::Join{4, "#b"});
  h.drain();
  h.feed_frame(1, v2::Join{5, "#c"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":5,"code":"too_many_rooms","text":"you are in 2 rooms: the limit"})"}));
  h.join_v2(4, "cam");
  h.join_v2(5, "dan");
  h.drain();
  h.feed_frame(2, v2::Join{6, "#a"});
  h.feed_frame(4, v2::Join{7, "#a"});
  h.drain();
  h.feed_frame(5, v2::Join{8, "#a"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(5 {"t":"error","rid":8,"code":"room_full","text":"#a has 3 members: the limit"})"}));
  h.feed_frame(5, v2::Send{9, {}, "#a", "hi", ""});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(5 {"t":"error","rid":9,"code":"not_member","text":"you are not a member of #a"})"}));
}

// Two joins that would create the same room, both in flight: one creates it, the other joins.
TEST_F(Rooms, ConcurrentJoinsCreateTheRoomOnce) {
  h.auto_store = false;
  h.feed_frame(1, v2::Join{1, "#x"});
  h.feed_frame(2, v2::Join{2, "#X"});
  EXPECT_EQ(h.drain(), (Lines{"STORE create(#x) add(#x,1)", "STORE add(#x,2)"}));
  const Lines lines = h.release();
  EXPECT_NE(lines[0].find(R"("created":true)"), std::string::npos);
  EXPECT_EQ(h.core.room("x")->members, (std::vector<std::string>{"alice", "bob"}));
}

// The store refuses: the change is undone and the requester gets the typed error.
TEST_F(Rooms, AStoreFailureUndoesTheChange) {
  h.store.fail_writes = history::Status::Failed;
  h.feed_frame(1, v2::Join{1, "#x"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":1,"code":"store_failed","text":"the server could not store it"})"}));
  EXPECT_TRUE(h.core.rooms().empty());
  EXPECT_EQ(h.core.stats().store_failures, 1u);
  h.store.fail_writes = history::Status::Ok;
  h.feed_frame(1, v2::Join{2, "#x"});
  h.feed_frame(1, v2::SetTopic{3, "#x", "a"});
  h.drain();
  h.store.fail_writes = history::Status::QueueFull;
  h.feed_frame(1, v2::SetTopic{4, "#x", "b"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":4,"code":"store_full","text":"the server's message store is busy: try again later"})"}));
  EXPECT_EQ(h.core.room("#x")->summary.topic, "a");
}

TEST_F(Rooms, RoomsLoadedAtStartAndTheOperatorsView) {
  CoreConfig c = room_config();
  c.rooms = {{"#team", "#Team", "go", 1, "alice", {1, 2}, {"alice", "Bob"}}};
  Harness g(c);
  g.join_v2(1, "alice");
  g.drain();
  ASSERT_EQ(g.core.rooms().size(), 1u);
  EXPECT_EQ(g.core.rooms()[0].name, "#Team");
  EXPECT_EQ(g.core.rooms()[0].online, 1u);
  const std::optional<RoomDetail> d = g.core.room("#TEAM");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->members, (std::vector<std::string>{"alice", "Bob"}));
  EXPECT_EQ(d->online, (std::vector<std::string>{"alice"}));
  EXPECT_FALSE(g.core.room("#nope"));
}

}  // namespace
}  // namespace qc::chat::testing
