// Stored messages (CoreConfig::store_messages): a send is delivered and acknowledged only after
// the store's answer, with the store's ids; duplicates (in flight, or known to the store) are not
// delivered again; refusals are typed errors with nothing delivered; v1 senders' messages reach
// v2 sessions after their commit. The store is tests/unit/chat/fake_store.h.
#include <gtest/gtest.h>

#include "chat/presence.h"
#include "harness.h"

namespace qc::chat::testing {
namespace {

namespace v2 = proto::v2;

class NamedDirectory final : public AccountDirectory {
 public:
  std::optional<AccountRef> find(std::string_view name) override {
    if (name_key(name) == "dora") return AccountRef{40, "dora"};
    return std::nullopt;
  }
};

CoreConfig stored_config() {
  CoreConfig c;
  c.store_messages = true;
  c.directory = std::make_shared<NamedDirectory>();
  c.offline_bound = 2;
  return c;
}

class Durable : public ::testing::Test {
 protected:
  void SetUp() override {
    h.join_v2(1, "alice", "lap");
    h.join_v2(2, "bob");
    h.join_v2(3, "alice", "phone");
    h.drain();
    h.auto_store = false;
  }
  Harness h{stored_config()};
};

TEST_F(Durable, NothingIsDeliveredOrAcknowledgedBeforeTheStoreAnswers) {
  h.feed_frame(1, v2::Send{5, {"bob"}, {}, "hi", "c1"});
  EXPECT_EQ(h.drain(), (Lines{"STORE append(d:1:2)"}));
  EXPECT_EQ(
      h.release(),
      (Lines{
          R"(2 {"t":"msg","conv":"d:1:2","id":1,"epoch":1,"ts":0,"from":"alice","to":["bob"],"text":"hi"})",
          R"(3 {"t":"msg","conv":"d:1:2","id":1,"epoch":1,"ts":0,"from":"alice","to":["bob"],"text":"hi","cid":"c1"})",
          R"(1 {"t":"ack","rid":5,"cid":"c1","epoch":1,"ts":0,"sent":[{"to":"bob","conv":"d:1:2","id":1}]})"}));
  EXPECT_EQ(h.core.stats().stored_messages, 1u);
  EXPECT_EQ(h.store.count("d:1:2"), 1u);
}

// The ids are the store's, in commit order, whatever order the sends came in.
TEST_F(Durable, BroadcastAndIdsComeFromTheStore) {
  h.store.last_id["all"] = 41;
  h.feed_frame(2, v2::Send{1, {}, "all", "one", ""});
  EXPECT_EQ(h.drain(), (Lines{"STORE append(all)"}));
  const Lines lines = h.release();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find(R"("id":42)"), std::string::npos);
  EXPECT_EQ(lines[2], R"(2 {"t":"ack","rid":1,"epoch":1,"ts":0,"sent":[{"conv":"all","id":42}]})");
}

TEST_F(Durable, ARepeatWhileInFlightWaitsAndIsAnsweredAsDuplicate) {
  h.feed_frame(1, v2::Send{5, {"bob"}, {}, "hi", "c1"});
  h.feed_frame(3, v2::Send{6, {"bob"}, {}, "hi", "c1"});  // the other device, same cid
  EXPECT_EQ(h.drain(), (Lines{"STORE append(d:1:2)"}));
  const Lines lines = h.release();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(
      lines[2],
      R"(3 {"t":"ack","rid":6,"cid":"c1","epoch":1,"ts":0,"sent":[{"to":"bob","conv":"d:1:2","id":1}],"duplicate":true})");
  EXPECT_EQ(h.store.count("d:1:2"), 1u);
  h.feed_frame(1, v2::Send{7, {"bob"}, {}, "hi", "c1"});  // after: from memory, at once
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"ack","rid":7,"cid":"c1","epoch":1,"ts":0,"sent":[{"to":"bob","conv":"d:1:2","id":1}],"duplicate":true})"}));
  EXPECT_EQ(h.core.stats().duplicate_sends, 2u);
}

// A re-send the core no longer remembers (a restart) is caught by the store: acknowledged with
// the stored id, not delivered.
TEST_F(Durable, TheStoresDuplicateIsAcknowledgedAndNotDelivered) {
  h.store.cids[{1, "c9", "d:1:2"}] = 7;
  h.feed_frame(1, v2::Send{5, {"bob"}, {}, "hi", "c9"});
  h.drain();
  EXPECT_EQ(
      h.release(),
      (Lines{
          R"(1 {"t":"ack","rid":5,"cid":"c9","epoch":1,"ts":0,"sent":[{"to":"bob","conv":"d:1:2","id":7}],"duplicate":true})"}));
}

TEST_F(Durable, RefusalsAreTypedErrorsAndNothingIsDelivered) {
  h.store.fail_writes = history::Status::QueueFull;
  h.feed_frame(1, v2::Send{5, {"bob"}, {}, "hi", "c1"});
  h.drain();
  EXPECT_EQ(
      h.release(),
      (Lines{
          R"(1 {"t":"error","rid":5,"code":"store_full","text":"no message was sent: the server's message store is busy: try again later","errors":[{"to":"bob","code":"store_full","text":"the server's message store is busy: try again later"}]})"}));
  h.store.fail_writes = history::Status::Failed;
  h.feed_frame(1, v2::Send{6, {}, "all", "x", "c1"});  // the failed cid is not a duplicate
  h.drain();
  const Lines lines = h.release();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("code":"store_failed")"), std::string::npos);
  EXPECT_EQ(h.core.stats().store_failures, 2u);
  EXPECT_EQ(h.core.stats().deliveries, 0u);
}

// Messages for an offline account queue up to offline_bound; past it, offline_full.
TEST_F(Durable, AnOfflineRecipientsQueueIsBounded) {
  h.auto_store = true;
  for (std::uint64_t rid = 1; rid <= 2; ++rid) {
    h.feed_frame(1, v2::Send{rid, {"dora"}, {}, "m", ""});
    const Lines lines = h.drain();  // alice's phone gets a copy; the ack
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[1].find(R"("offline":true)"), std::string::npos) << lines[1];
  }
  h.feed_frame(1, v2::Send{3, {"dora", "bob"}, {}, "m", ""});
  const Lines lines = h.drain();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(
      lines.back(),
      R"(1 {"t":"ack","rid":3,"epoch":1,"ts":0,"sent":[{"to":"bob","conv":"d:1:2","id":1}],"errors":[{"to":"dora","code":"offline_full","text":"too many messages wait for this offline user"}]})");
}

TEST_F(Durable, RoomMessagesReachEveryMembersEveryDeviceButTheSendingOne) {
  h.auto_store = true;
  h.feed_frame(1, v2::Join{1, "#team"});
  h.feed_frame(2, v2::Join{2, "#team"});
  h.drain();
  h.feed_frame(1, v2::Send{3, {}, "#Team", "hello", "r1"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(2 {"t":"msg","conv":"#team","id":1,"epoch":1,"ts":0,"from":"alice","text":"hello"})",
          R"(3 {"t":"msg","conv":"#team","id":1,"epoch":1,"ts":0,"from":"alice","text":"hello","cid":"r1"})",
          R"(1 {"t":"ack","rid":3,"cid":"r1","epoch":1,"ts":0,"sent":[{"conv":"#team","id":1}]})"}));
}

// v1 recipients get a v1 sender's message at once; v2 ones after its commit.
TEST_F(Durable, AV1SendersMessageIsStoredAndReachesV2SessionsAfterTheCommit) {
  h.join(4, "cam");
  h.drain();
  h.feed(4, broadcast_pdu("from v1"));
  EXPECT_EQ(h.drain(), (Lines{"STORE append(all)", "4 BROADCAST cam(3): from v1"}));
  EXPECT_EQ(
      h.release(),
      (Lines{
          R"(1 {"t":"msg","conv":"all","id":1,"epoch":1,"ts":0,"from":"cam","text":"from v1"})",
          R"(3 {"t":"msg","conv":"all","id":1,"epoch":1,"ts":0,"from":"cam","text":"from v1"})",
          R"(2 {"t":"msg","conv":"all","id":1,"epoch":1,"ts":0,"from":"cam","text":"from v1"})"}));
  h.feed_frame(2, v2::Send{1, {"cam"}, {}, "to v1", ""});
  h.drain();
  const Lines lines = h.release();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "4 ONE_TO_ONE bob(2): to v1");
}

TEST(DurableOff, WithoutStoringRoomMessagesGoOutAtOnceWithSequencerIds) {
  Harness h;
  h.join_v2(1, "alice");
  h.join_v2(2, "bob");
  h.feed_frame(1, v2::Join{1, "#r"});
  h.feed_frame(2, v2::Join{2, "#r"});
  h.drain();
  h.auto_store = false;
  h.feed_frame(2, v2::Send{3, {}, "#r", "hi", ""});
  EXPECT_EQ(
      h.drain(),
      (Lines{R"(1 {"t":"msg","conv":"#r","id":1,"epoch":1,"ts":0,"from":"bob","text":"hi"})",
             R"(2 {"t":"ack","rid":3,"epoch":1,"ts":0,"sent":[{"conv":"#r","id":1}]})"}));
}

}  // namespace
}  // namespace qc::chat::testing
