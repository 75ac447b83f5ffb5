// The MessageStore interface: ids, dedupe, bounds, reads, retention, rooms; the same tests run
// over SQLite in unit_store and over PostgreSQL in unit_store_pg (store_location.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "message_test_support.h"
#include "store/open_store.h"
#include "store_location.h"

// Queries are written with designated initializers, naming only what a test sets.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace qc::store {
namespace {

using ::testing::ElementsAre;
using namespace test;
using history::Status;

class MessageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(location_->ok());
    store_ = open();
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<MessageStore> open() {
    auto r = open_message_store(location_->db());
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? std::move(r.value()) : nullptr;
  }
  std::vector<history::OpResult> apply(std::vector<history::Op> ops) { return store_->apply(ops); }
  history::PageResult page(history::ReadPage q) {
    auto r = store_->read(q);
    EXPECT_EQ(r.status, Status::Ok) << r.detail;
    EXPECT_EQ(r.pages.size(), 1u);
    return r.pages.empty() ? history::PageResult{} : r.pages.front();
  }
  std::vector<history::PageResult> catch_up(history::ReadCatchUp q) {
    auto r = store_->read(q);
    EXPECT_EQ(r.status, Status::Ok) << r.detail;
    return r.pages;
  }
  void fill(const std::string& conv, int n, std::int64_t first_ts = 1'000) {
    for (int i = 0; i < n; ++i) {
      auto m = append(conv, 1, "m" + std::to_string(i));
      m.ts = first_ts + i * 1'000;
      ASSERT_EQ(apply({m}).front().status, Status::Ok);
    }
  }

  std::unique_ptr<test::Location> location_ = test::new_location();
  std::unique_ptr<MessageStore> store_;
};

TEST_F(MessageStoreTest, IdsAreDensePerConversationAcrossBatchesAndReopening) {
  EXPECT_THAT(ids_of(apply({append("all", 1, "a"), append("all", 2, "b"), append("d:1:2", 1, "c"),
                            append("all", 1, "d")})),
              ElementsAre(1, 2, 1, 3));
  EXPECT_THAT(ids_of(apply({append("d:1:2", 2, "e"), append("all", 2, "f")})), ElementsAre(2, 4));
  const auto epoch = store_->epoch();
  EXPECT_GT(epoch, 1'600'000'000'000u);  // creation time in Unix ms
  store_ = open();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(store_->epoch(), epoch);
  EXPECT_THAT(ids_of(apply({append("all", 1, "g"), append("#team", 1, "h")})), ElementsAre(5, 1));
}

TEST_F(MessageStoreTest, ADuplicateCidIsAnsweredWithTheStoredId) {
  EXPECT_THAT(ids_of(apply({append("all", 1, "a"), append("all", 1, "b", "c-1")})),
              ElementsAre(1, 2));
  auto again =
      apply({append("all", 1, "b", "c-1"), append("all", 2, "same cid, other sender", "c-1"),
             append("d:1:2", 1, "same cid, other conv", "c-1"), append("all", 1, "x"),
             append("all", 1, "x")});
  EXPECT_EQ(again[0].status, Status::Duplicate);
  EXPECT_EQ(again[0].id, 2u);
  EXPECT_EQ(again[1].status, Status::Ok);
  // Unique per sender and conversation: a send to several names has one cid and one message in
  // each direct conversation.
  EXPECT_EQ(again[2].status, Status::Ok);
  EXPECT_EQ(again[2].id, 1u);
  EXPECT_EQ(again[3].status, Status::Ok);  // no cid: never a duplicate
  EXPECT_EQ(again[4].status, Status::Ok);
  EXPECT_THAT(ids_of(again), ElementsAre(2, 3, 1, 4, 5));
  // Within one batch too.
  auto batch = apply({append("all", 3, "y", "c-9"), append("all", 3, "y", "c-9")});
  EXPECT_EQ(batch[1].status, Status::Duplicate);
  EXPECT_EQ(batch[1].id, batch[0].id);
}

TEST_F(MessageStoreTest, TheOfflineBoundRefusesOnlyThatMessage) {
  auto to_bob = [](std::string text) {
    auto m = append("d:1:2", 1, std::move(text), "", {1, 2});
    m.offline_account = 2;
    m.offline_bound = 2;
    return m;
  };
  EXPECT_THAT(ids_of(apply({to_bob("1"), to_bob("2")})), ElementsAre(1, 2));
  auto full = apply({to_bob("3"), append("all", 1, "other")});
  EXPECT_EQ(full[0].status, Status::OfflineFull);
  EXPECT_EQ(full[1].status, Status::Ok);
  EXPECT_EQ(page({.conv = "d:1:2", .account_id = 2}).unread, 2u);
  ASSERT_EQ(apply({history::SetReadCursor{2, "d:1:2", 1}}).front().status, Status::Ok);
  EXPECT_EQ(apply({to_bob("4")}).front().id, 3u);  // ids stay dense: the refused one took none
}

// A page's texts stay within 256 KiB (at least one message): long messages make shorter pages.
TEST_F(MessageStoreTest, APageOfLongMessagesIsCutByBytes) {
  std::vector<history::Op> ops;
  for (int i = 0; i < 20; ++i) ops.push_back(append("#big", 1, std::string(20 * 1024, 'x')));
  apply(std::move(ops));
  auto latest = page({.conv = "#big", .limit = 500});
  EXPECT_THAT(ids_of(latest), ElementsAre(9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20));
  EXPECT_TRUE(latest.more);
  auto after = page({.conv = "#big", .after = 0, .limit = 500});
  EXPECT_EQ(ids_of(after).front(), 1u);
  EXPECT_EQ(after.msgs.size(), 12u);
  EXPECT_TRUE(after.more);
  apply({append("#huge", 1, std::string(300 * 1024, 'y'))});
  EXPECT_EQ(page({.conv = "#huge", .limit = 500}).msgs.size(), 1u);
}

TEST_F(MessageStoreTest, PagesBeforeAfterAndLatest) {
  fill("#team", 10);
  auto latest = page({.conv = "#team", .limit = 3});
  EXPECT_THAT(ids_of(latest), ElementsAre(8, 9, 10));
  EXPECT_TRUE(latest.more);
  auto older = page({.conv = "#team", .before = 8, .limit = 3});
  EXPECT_THAT(ids_of(older), ElementsAre(5, 6, 7));
  EXPECT_TRUE(older.more);
  auto oldest = page({.conv = "#team", .before = 3, .limit = 5});
  EXPECT_THAT(ids_of(oldest), ElementsAre(1, 2));
  EXPECT_FALSE(oldest.more);
  auto newer = page({.conv = "#team", .after = 7, .limit = 2});
  EXPECT_THAT(ids_of(newer), ElementsAre(8, 9));
  EXPECT_TRUE(newer.more);
  auto newest = page({.conv = "#team", .after = 8, .limit = 5});
  EXPECT_THAT(ids_of(newest), ElementsAre(9, 10));
  EXPECT_FALSE(newest.more);
  auto between = page({.conv = "#team", .before = 6, .after = 2, .limit = 10});
  EXPECT_THAT(ids_of(between), ElementsAre(3, 4, 5));
  EXPECT_TRUE(page({.conv = "#none"}).msgs.empty());
}

TEST_F(MessageStoreTest, AMessageReadBackHasEveryField) {
  auto m = append("d:1:2", 1, "hello, bob", "c-7", {1, 2});
  m.sender = "Alice";
  m.to = {"bob"};
  m.ts = 1'700'000'000'123;
  ASSERT_EQ(apply({m}).front().status, Status::Ok);
  auto got = page({.conv = "d:1:2", .account_id = 2});
  ASSERT_EQ(got.msgs.size(), 1u);
  const proto::v2::Msg want{"d:1:2", 1,       store_->epoch(), 1'700'000'000'123,
                            "Alice", {"bob"}, "hello, bob",    "c-7"};
  EXPECT_EQ(got.msgs.front(), want);
  EXPECT_EQ(got.unread, 1u);  // a participant's first message is unread
  EXPECT_EQ(got.read, 0u);
}

TEST_F(MessageStoreTest, ASendersOwnMessagesAreNotUnreadForIt) {
  apply({history::Enroll{1, "all"}, history::Enroll{2, "all"}});
  apply({append("d:1:2", 1, "a", "", {1, 2}), append("d:1:2", 1, "b", "", {1, 2}),
         append("all", 1, "c")});
  EXPECT_EQ(page({.conv = "d:1:2", .account_id = 1}).unread, 0u);
  EXPECT_EQ(page({.conv = "d:1:2", .account_id = 1}).read, 2u);
  EXPECT_EQ(page({.conv = "d:1:2", .account_id = 2}).unread, 2u);
  EXPECT_EQ(page({.conv = "all", .account_id = 1}).unread, 0u);
  // Bob answers: Alice has one unread, and her next message does not hide it.
  apply({append("d:1:2", 2, "d", "", {1, 2}), append("d:1:2", 1, "e", "", {1, 2})});
  auto alice = page({.conv = "d:1:2", .account_id = 1});
  EXPECT_EQ(alice.read, 2u);
  EXPECT_EQ(alice.unread, 2u);
}

TEST_F(MessageStoreTest, ReadCursorsMoveForwardOnlyAndNeverPastTheLastId) {
  fill("all", 5);
  ASSERT_EQ(apply({history::Enroll{7, "all"}}).front().status, Status::Ok);
  EXPECT_EQ(page({.conv = "all", .account_id = 7}).read, 5u);  // enrolled at the latest id
  fill("all", 5);
  apply({history::SetReadCursor{7, "all", 8}, history::SetReadCursor{7, "all", 6}});
  auto p = page({.conv = "all", .account_id = 7});
  EXPECT_EQ(p.read, 8u);
  EXPECT_EQ(p.unread, 2u);
  apply({history::SetReadCursor{7, "all", 99}});
  EXPECT_EQ(page({.conv = "all", .account_id = 7}).read, 10u);
}

TEST_F(MessageStoreTest, CatchUpReadsFromSinceWhereNamedElseFromTheCursor) {
  apply({history::Enroll{2, "all"}});
  fill("all", 4);
  ASSERT_EQ(apply({append("d:1:2", 1, "a", "", {1, 2}), append("d:1:2", 1, "b", "", {1, 2}),
                   append("d:1:3", 1, "not bob's", "", {1, 3})})
                .size(),
            3u);
  ASSERT_EQ(apply({history::SetReadCursor{2, "d:1:2", 2}}).front().status, Status::Ok);
  // No since: "all" after the cursor (0: enrolled before any message); d:1:2 fully read: left out.
  auto pages = catch_up({.account_id = 2});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].conv, "all");
  EXPECT_THAT(ids_of(pages[0]), ElementsAre(1, 2, 3, 4));
  EXPECT_EQ(pages[0].unread, 4u);
  // since names d:1:2 at 1 (another device saw less) and all at 3; d:1:3 is not bob's: ignored.
  pages = catch_up({.account_id = 2, .since = {{"d:1:2", 1}, {"all", 3}, {"d:1:3", 0}}});
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].conv, "all");
  EXPECT_THAT(ids_of(pages[0]), ElementsAre(4));
  EXPECT_EQ(pages[0].unread, 4u);
  EXPECT_EQ(pages[1].conv, "d:1:2");
  EXPECT_THAT(ids_of(pages[1]), ElementsAre(2));
  EXPECT_EQ(pages[1].unread, 0u);
  EXPECT_EQ(pages[1].read, 2u);
  // Nothing new after since, but unread: the page comes, empty, with its unread count.
  pages = catch_up({.account_id = 2, .since = {{"all", 4}}});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_TRUE(pages[0].msgs.empty());
  EXPECT_EQ(pages[0].unread, 4u);
}

TEST_F(MessageStoreTest, CatchUpIsOldestFirstPerConversationWithMore) {
  apply({history::Enroll{2, "all"}});
  fill("all", 7);
  auto pages = catch_up({.account_id = 2, .per_conv_limit = 3});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_THAT(ids_of(pages[0]), ElementsAre(1, 2, 3));
  EXPECT_TRUE(pages[0].more);
  pages = catch_up({.account_id = 2, .since = {{"all", 4}}, .per_conv_limit = 3});
  EXPECT_THAT(ids_of(pages[0]), ElementsAre(5, 6, 7));
  EXPECT_FALSE(pages[0].more);
}

TEST_F(MessageStoreTest, RetentionByAgeTellsHowManyExpiredAndNeverLowersIds) {
  apply({history::Enroll{2, "all"}});
  fill("all", 10, 1'000);  // ts 1000, 2000, ..., 10000
  const Retention keep_5s{std::chrono::milliseconds(5'000), 0};
  auto first = store_->purge(keep_5s, 11'000, 3);  // deletes ts < 6000: ids 1-5, 3 at a time
  EXPECT_EQ(first.deleted, 3u);
  EXPECT_TRUE(first.more);
  auto second = store_->purge(keep_5s, 11'000, 3);
  EXPECT_EQ(second.deleted, 2u);
  EXPECT_FALSE(second.more);
  auto pages = catch_up({.account_id = 2, .since = {{"all", 2}}});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_THAT(ids_of(pages[0]), ElementsAre(6, 7, 8, 9, 10));
  EXPECT_EQ(pages[0].expired, 3u);  // 3, 4, 5
  EXPECT_EQ(page({.conv = "all", .after = 0, .account_id = 2}).expired, 5u);
  EXPECT_EQ(store_->purge(keep_5s, 100'000, 100).deleted, 5u);  // everything
  pages = catch_up({.account_id = 2});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_TRUE(pages[0].msgs.empty());
  EXPECT_EQ(pages[0].expired, 10u);
  EXPECT_EQ(apply({append("all", 1, "next")}).front().id, 11u);
}

TEST_F(MessageStoreTest, RetentionByCountKeepsTheNewestPerConversation) {
  fill("all", 10);
  fill("#team", 4);
  const Retention keep_3{std::chrono::milliseconds(0), 3};
  std::uint64_t deleted = 0;
  for (int round = 0; round < 10; ++round) {
    auto r = store_->purge(keep_3, 0, 4);
    deleted += r.deleted;
    if (!r.more) break;
  }
  EXPECT_EQ(deleted, 8u);
  EXPECT_THAT(ids_of(page({.conv = "all"})), ElementsAre(8, 9, 10));
  EXPECT_THAT(ids_of(page({.conv = "#team"})), ElementsAre(2, 3, 4));
}

TEST_F(MessageStoreTest, RoomsMembersAndTopicsLoadWithNames) {
  {
    auto accounts = open_account_store(location_->db());
    ASSERT_TRUE(accounts);
    ASSERT_TRUE((*accounts)->add_many({{"Alice", "h"}, {"bob", "h"}, {"cam", "h"}}));
  }
  auto made = apply({history::CreateRoom{"#team", "#Team", 1, 5}, history::AddMember{"#team", 1},
                     history::AddMember{"#team", 2}, history::AddMember{"#team", 3},
                     history::SetTopic{"#team", "ship it"}, history::RemoveMember{"#team", 2},
                     history::CreateRoom{"#team", "#TEAM", 2, 6}, history::AddMember{"#team", 3}});
  for (std::size_t i = 0; i < made.size(); ++i) {
    EXPECT_EQ(made[i].status, i == 6 ? Status::Exists : Status::Ok) << i;
  }
  EXPECT_EQ(made[6].id, 1u) << "Exists names the creator whose insert won";
  EXPECT_EQ(made[6].detail, "Alice");
  auto rooms = store_->load_rooms();
  ASSERT_TRUE(rooms) << rooms.error().message;
  ASSERT_EQ(rooms->size(), 1u);
  const auto& r = rooms->front();
  EXPECT_EQ(r.key, "#team");
  EXPECT_EQ(r.name, "#Team");
  EXPECT_EQ(r.topic, "ship it");
  EXPECT_EQ(r.op_id, 1u);
  EXPECT_EQ(r.op, "Alice");
  EXPECT_THAT(r.members, ElementsAre(1, 3));
  EXPECT_THAT(r.member_names, ElementsAre("Alice", "cam"));
}

TEST_F(MessageStoreTest, AMemberCatchesUpFromItsJoinAndNotAfterLeaving) {
  fill("#team", 3);
  apply({history::AddMember{"#team", 4}});
  EXPECT_TRUE(catch_up({.account_id = 4}).empty());  // joined after 3: nothing unread
  fill("#team", 2);
  auto pages = catch_up({.account_id = 4});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_THAT(ids_of(pages[0]), ElementsAre(4, 5));
  apply({history::RemoveMember{"#team", 4}});
  EXPECT_TRUE(catch_up({.account_id = 4, .since = {{"#team", 0}}}).empty());
}

}  // namespace
}  // namespace qc::store
