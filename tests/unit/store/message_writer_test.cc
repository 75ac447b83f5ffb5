// The writer thread: group commit, first in first out, the queue's bound, draining at the end.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <latch>
#include <mutex>
#include <set>
#include <thread>

#include "../support/temp_dir.h"
#include "message_test_support.h"

namespace qc::store {
namespace {

using namespace test;
using history::OpResult;
using history::Status;
using ::testing::ElementsAre;

// Holds the writer thread inside a done callback until opened, so that the jobs submitted
// meanwhile are all waiting in the queue.
class Gate {
 public:
  MessageWriter::WriteDone hold() {
    return [this](std::vector<OpResult>) {
      entered_.set_value();
      opened_.wait();
    };
  }
  void wait_until_held() { entered_.get_future().wait(); }
  void open() { open_.set_value(); }

 private:
  std::promise<void> entered_, open_;
  std::shared_future<void> opened_ = open_.get_future().share();
};

class MessageWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  std::unique_ptr<MessageWriter> start(WriterOptions options = {}) {
    auto store = open_store(dir_.file("w.db"));
    return store ? std::make_unique<MessageWriter>(std::move(store), options) : nullptr;
  }
  // Starts a writer, then holds it in the done of a first write.
  std::unique_ptr<MessageWriter> start_held(Gate& gate, WriterOptions options = {}) {
    auto writer = start(options);
    if (!writer) return nullptr;
    writer->write({append("all", 9, "first")}, gate.hold());
    gate.wait_until_held();
    return writer;
  }
  qc::testing::TempDir dir_;
};

TEST_F(MessageWriterTest, WritesWaitingTogetherShareOneCommit) {
  Gate gate;
  auto writer = start_held(gate);
  ASSERT_NE(writer, nullptr);
  constexpr int kThreads = 4, kEach = 25;
  std::mutex mu;
  std::vector<std::uint64_t> ids;
  std::latch done(kThreads * kEach);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        writer->write({append("all", 1, "m")}, [&](std::vector<OpResult> r) {
          std::lock_guard<std::mutex> lock(mu);
          ids.push_back(r.front().id);
          done.count_down();
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(writer->stats().queued, static_cast<std::size_t>(kThreads * kEach));
  gate.open();
  done.wait();
  const auto stats = writer->stats();
  EXPECT_EQ(stats.commits, 2u);  // the first write, then the other 100 together
  EXPECT_EQ(stats.ops_written, 101u);
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_GT(stats.commit_ns_total, 0u);
  std::set<std::uint64_t> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 100u);
  EXPECT_EQ(*unique.begin(), 2u);
  EXPECT_EQ(*unique.rbegin(), 101u);
}

TEST_F(MessageWriterTest, ConcurrentSendersGetFewerCommitsThanWrites) {
  auto writer = start();
  ASSERT_NE(writer, nullptr);
  constexpr int kSenders = 8, kEach = 20;
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (int i = 0; i < kEach; ++i) {  // each sender waits for its ack, like a client
        std::promise<void> acked;
        writer->write({append("d:" + std::to_string(s), 1, "m")},
                      [&](std::vector<OpResult>) { acked.set_value(); });
        acked.get_future().wait();
      }
    });
  }
  for (auto& t : senders) t.join();
  const auto stats = writer->stats();
  EXPECT_EQ(stats.ops_written, static_cast<std::uint64_t>(kSenders * kEach));
  EXPECT_LT(stats.commits, static_cast<std::uint64_t>(kSenders * kEach));
}

TEST_F(MessageWriterTest, AGroupHoldsAtMostMaxBatchOps) {
  Gate gate;
  auto writer = start_held(gate, {.max_queued_ops = 100, .max_batch_ops = 10});
  ASSERT_NE(writer, nullptr);
  std::latch done(5);
  for (int i = 0; i < 5; ++i) {
    std::vector<history::Op> four(4, append("all", 1, "m"));
    writer->write(std::move(four), [&](std::vector<OpResult> r) {
      EXPECT_EQ(r.size(), 4u);
      done.count_down();
    });
  }
  gate.open();
  done.wait();
  EXPECT_EQ(writer->stats().commits, 4u);  // 1 + (4+4) + (4+4) + 4
}

TEST_F(MessageWriterTest, AReadSeesTheWritesBeforeItAndNotThoseAfter) {
  Gate gate;
  auto writer = start_held(gate);
  ASSERT_NE(writer, nullptr);
  std::promise<history::ReadResult> read;
  std::latch written(2);
  auto count = [&](std::vector<OpResult>) { written.count_down(); };
  writer->write({append("#team", 1, "before the read")}, count);
  writer->read(history::ReadPage{"#team", {}, {}, 50, 0},
               [&](history::ReadResult r) { read.set_value(std::move(r)); });
  writer->write({append("#team", 1, "after the read")}, count);
  gate.open();
  auto result = read.get_future().get();
  written.wait();
  ASSERT_EQ(result.status, Status::Ok);
  ASSERT_EQ(result.pages.size(), 1u);
  EXPECT_THAT(ids_of(result.pages[0]), ElementsAre(1));
  EXPECT_EQ(writer->stats().commits, 3u);  // the read split the two writes
  EXPECT_EQ(writer->stats().reads, 1u);
}

TEST_F(MessageWriterTest, OverTheBoundJobsAreRefusedAtOnceOnTheCallersThread) {
  Gate gate;
  auto writer = start_held(gate, {.max_queued_ops = 5, .max_batch_ops = 100});
  ASSERT_NE(writer, nullptr);
  std::latch accepted(3);
  auto count = [&](std::vector<OpResult> r) {
    EXPECT_EQ(r.front().status, Status::Ok);
    accepted.count_down();
  };
  writer->write({append("all", 1, "a"), append("all", 1, "b")}, count);
  writer->write({append("all", 1, "c"), append("all", 1, "d")}, count);  // 4 queued
  std::vector<OpResult> refused;
  std::thread::id refused_on;
  writer->write({append("all", 1, "e"), append("all", 1, "f")}, [&](std::vector<OpResult> r) {
    refused = std::move(r);
    refused_on = std::this_thread::get_id();
  });
  ASSERT_EQ(refused.size(), 2u);  // answered before write() returned
  EXPECT_EQ(refused_on, std::this_thread::get_id());
  EXPECT_EQ(refused[0].status, Status::QueueFull);
  EXPECT_EQ(refused[1].status, Status::QueueFull);
  std::optional<Status> read_refused;
  writer->read(history::ReadPage{"all", {}, {}, 50, 0}, [&](history::ReadResult) { accepted.count_down(); });
  writer->read(history::ReadPage{"all", {}, {}, 50, 0},
               [&](history::ReadResult r) { read_refused = r.status; });  // 6 > 5
  EXPECT_EQ(read_refused, Status::QueueFull);
  EXPECT_EQ(writer->stats().refused, 2u);
  EXPECT_EQ(writer->stats().queued, 5u);
  gate.open();
  accepted.wait();
  // The bound is on what waits: once drained, the queue takes jobs again.
  std::promise<std::vector<OpResult>> later;
  writer->write({append("all", 1, "g")}, [&](std::vector<OpResult> r) { later.set_value(r); });
  EXPECT_EQ(later.get_future().get().front().id, 6u);
}

TEST_F(MessageWriterTest, TheDestructorFinishesEveryQueuedJob) {
  std::atomic<int> done{0};
  std::atomic<int> purged{0};
  {
    auto writer = start();
    ASSERT_NE(writer, nullptr);
    for (int i = 0; i < 50; ++i) {
      writer->write({append("all", 1, "m")}, [&](std::vector<OpResult> r) {
        if (r.front().status == Status::Ok) ++done;
      });
    }
    writer->purge({std::chrono::milliseconds(0), 10}, 0, 100,
                  [&](PurgeResult r) { purged = static_cast<int>(r.deleted); });
  }
  EXPECT_EQ(done.load(), 50);
  EXPECT_EQ(purged.load(), 40);
  auto store = open_store(dir_.file("w.db"));
  auto page = store->read(history::ReadPage{"all", {}, {}, 100, 0});
  EXPECT_THAT(ids_of(page.pages.at(0)), ElementsAre(41, 42, 43, 44, 45, 46, 47, 48, 49, 50));
}

}  // namespace
}  // namespace qc::store
