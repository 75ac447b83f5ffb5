// The acknowledgement comes after the fsync: every `done` of the writer runs after a WAL fsync
// that followed the last WAL write of its commit (seen through a recording VFS, since a kill -9
// cannot show it: the page cache survives a killed process). And a failed write stores nothing.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <future>
#include <latch>
#include <mutex>
#include <thread>

#include "../support/temp_dir.h"
#include "message_test_support.h"
#include "store/message_sqlite.h"
#include "sync_recording_vfs.h"

namespace qc::store {
namespace {

using namespace test;
using history::Status;

std::string pragma(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  std::string out = "<error>";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  return out;
}

SqliteMessageStore* as_sqlite(const std::unique_ptr<MessageStore>& store) {
  return dynamic_cast<SqliteMessageStore*>(store.get());
}

struct Seen {
  std::uint64_t submitted_at, last_wal_write, last_wal_sync, done_at;
  Status status;
};

// Every store here opens through the recording VFS.
class DurableAck : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  SyncRecord& rec = install_sync_recording_vfs();
  qc::testing::TempDir dir_;
};

TEST_F(DurableAck, EveryDoneRunsAfterTheWalFsyncOfItsCommit) {
  auto store = open_store(dir_.file("ack.db"));
  ASSERT_NE(as_sqlite(store), nullptr);
  // The writer's own connection: WAL, and FULL (2) or EXTRA (3).
  EXPECT_EQ(pragma(as_sqlite(store)->connection(), "PRAGMA journal_mode"), "wal");
  EXPECT_GE(std::stoi(pragma(as_sqlite(store)->connection(), "PRAGMA synchronous")), 2);

  constexpr int kSenders = 4, kEach = 25;
  std::mutex mu;
  std::vector<Seen> seen;
  std::latch all_done(kSenders * kEach);
  MessageWriter writer(std::move(store));
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (int i = 0; i < kEach; ++i) {
        const std::uint64_t submitted = rec.sequence.load();
        writer.write({append("all", static_cast<std::uint64_t>(s + 1), "m")},
                     [&, submitted](std::vector<history::OpResult> results) {
                       std::lock_guard<std::mutex> lock(mu);
                       seen.push_back({submitted, rec.last_wal_write.load(),
                                       rec.last_wal_sync.load(), rec.next(),
                                       results.front().status});
                       all_done.count_down();
                     });
      }
    });
  }
  for (auto& t : senders) t.join();
  all_done.wait();
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(kSenders * kEach));
  for (const auto& s : seen) {
    EXPECT_EQ(s.status, Status::Ok);
    EXPECT_GT(s.last_wal_write, s.submitted_at);  // its commit wrote the WAL after it was asked
    EXPECT_GT(s.last_wal_sync, s.last_wal_write);  // ... and the WAL was fsynced after that
    EXPECT_GT(s.done_at, s.last_wal_sync);         // ... before the done (the ack) ran
  }
  EXPECT_GE(rec.wal_syncs.load(), writer.stats().commits);
}

// Proof that the check above can fail: a commit without fsync leaves the last WAL write unsynced.
TEST_F(DurableAck, TheRecordShowsACommitWithoutFsync) {
  auto store = open_store(dir_.file("nosync.db"));
  ASSERT_NE(as_sqlite(store), nullptr);
  ASSERT_EQ(pragma(as_sqlite(store)->connection(), "PRAGMA synchronous = OFF"), "<error>");
  const std::uint64_t before = rec.sequence.load();
  ASSERT_EQ(store->apply({append("all", 1, "m")}).front().status, Status::Ok);
  EXPECT_GT(rec.last_wal_write.load(), before);
  EXPECT_LT(rec.last_wal_sync.load(), rec.last_wal_write.load());
}

TEST_F(DurableAck, AFullDiskFailsTheWholeBatchStoresNothingAndTheNextBatchWorks) {
  const std::string path = dir_.file("full.db");
  auto store = open_store(path);
  ASSERT_NE(store, nullptr);
  ASSERT_EQ(store->apply({append("all", 1, "before")}).front().id, 1u);

  rec.disk_full = true;
  auto failed = store->apply({append("all", 1, "a"), history::Enroll{2, "all"},
                              append("d:1:2", 1, "b", "c-1", {1, 2})});
  rec.disk_full = false;
  ASSERT_EQ(failed.size(), 3u);
  for (const auto& r : failed) {
    EXPECT_EQ(r.status, Status::Failed);
    EXPECT_NE(r.detail.find("full"), std::string::npos) << r.detail;
  }
  auto after = store->read(history::ReadPage{"all", {}, {}, 50, 2});
  ASSERT_EQ(after.pages.size(), 1u);
  EXPECT_EQ(after.pages[0].msgs.size(), 1u);
  EXPECT_EQ(after.pages[0].read, 0u);  // the Enroll did not happen either

  // Space is back: the same batch goes through, with the ids the failed one did not keep.
  auto again = store->apply({append("all", 1, "a"), history::Enroll{2, "all"},
                             append("d:1:2", 1, "b", "c-1", {1, 2})});
  EXPECT_EQ(again[0].status, Status::Ok);
  EXPECT_EQ(again[0].id, 2u);
  EXPECT_EQ(again[2].status, Status::Ok);  // the cid was not taken by the failed batch
  EXPECT_EQ(again[2].id, 1u);
  store = open_store(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->read(history::ReadPage{"all", {}, {}, 50, 0}).pages[0].msgs.size(), 2u);
}


// Through the writer: the jobs that shared the failed commit all fail; the next group works.
TEST_F(DurableAck, AFailedGroupCommitFailsEveryJobInIt) {
  MessageWriter writer(open_store(dir_.file("group.db")));
  std::promise<void> entered, release;
  writer.write({append("all", 1, "first")}, [&](std::vector<history::OpResult>) {
    entered.set_value();
    release.get_future().wait();  // the two writes below queue up meanwhile
  });
  entered.get_future().wait();
  std::latch grouped(2);
  std::vector<Status> statuses(2);
  for (std::size_t i = 0; i < 2; ++i) {
    writer.write({append("all", 1, "m")}, [&, i](std::vector<history::OpResult> r) {
      statuses[i] = r.front().status;
      grouped.count_down();
    });
  }
  rec.disk_full = true;
  release.set_value();
  grouped.wait();
  rec.disk_full = false;
  EXPECT_EQ(statuses[0], Status::Failed);
  EXPECT_EQ(statuses[1], Status::Failed);
  EXPECT_EQ(writer.stats().commits, 2u);  // the two shared one (failed) commit
  std::promise<history::OpResult> after;
  writer.write({append("all", 1, "after")},
               [&](std::vector<history::OpResult> r) { after.set_value(r.front()); });
  const auto result = after.get_future().get();
  EXPECT_EQ(result.status, Status::Ok);
  EXPECT_EQ(result.id, 2u);
}

}  // namespace
}  // namespace qc::store
