// Message store: AppendMessage batches committed durably (WAL, synchronous=FULL, one fsync per
// apply), in a temporary file on the machine's disk. Batch size = how many messages one group
// commit carries: 1 (no grouping), 10, 100. Then the same through the MessageWriter, one thread
// submitting without waiting (the writer groups what has queued). Reported per message. Last, a
// history page of 500.
#include <benchmark/benchmark.h>

#include <latch>

#include "../../tests/unit/support/temp_dir.h"
#include "store/message_store.h"
#include "util/log.h"

namespace {

namespace history = qc::chat::history;

history::AppendMessage message(std::uint64_t sender, std::int64_t n) {
  history::AppendMessage m;
  m.conv = "d:" + std::to_string(sender) + ":1000";
  m.sender_id = sender;
  m.sender = "u" + std::to_string(sender);
  m.to = {"bob"};
  m.text = std::string(64, 'x');
  m.cid = "c-" + std::to_string(n);
  m.ts = 1'700'000'000'000 + n;
  m.participants = {sender, 1000};
  return m;
}

// A fresh database in a fresh temporary directory (removed with it).
std::unique_ptr<qc::store::MessageStore> open_or_skip(const qc::testing::TempDir& dir,
                                                      benchmark::State& state) {
  auto store = qc::store::open_sqlite_message_store(dir.file("bench.db"));
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return nullptr;
  }
  return std::move(store.value());
}

void BM_StoreApplyBatch(benchmark::State& state) {
  qc::log::set_level(qc::log::Level::Off);
  const auto batch_size = static_cast<std::int64_t>(state.range(0));
  qc::testing::TempDir dir;
  auto store = open_or_skip(dir, state);
  if (!store) return;
  std::int64_t n = 0;
  for (auto _ : state) {
    std::vector<history::Op> batch;
    for (std::int64_t i = 0; i < batch_size; ++i, ++n) batch.push_back(message(1 + n % 100, n));
    auto results = store->apply(batch);
    benchmark::DoNotOptimize(results);
  }
  state.SetItemsProcessed(n);
}
BENCHMARK(BM_StoreApplyBatch)->Arg(1)->Arg(10)->Arg(100)->UseRealTime();

// 1,000 single-message writes submitted at once, the ack of each awaited at the end.
void BM_StoreWriterBurst(benchmark::State& state) {
  qc::log::set_level(qc::log::Level::Off);
  constexpr std::int64_t kBurst = 1'000;
  qc::testing::TempDir dir;
  auto store = open_or_skip(dir, state);
  if (!store) return;
  qc::store::MessageWriter writer(std::move(store));
  std::int64_t n = 0;
  for (auto _ : state) {
    std::latch acked(kBurst);
    for (std::int64_t i = 0; i < kBurst; ++i, ++n) {
      writer.write({message(1 + n % 100, n)}, [&](std::vector<history::OpResult>) {
        acked.count_down();
      });
    }
    acked.wait();
  }
  const auto stats = writer.stats();
  state.SetItemsProcessed(n);
  state.counters["msgs_per_commit"] =
      static_cast<double>(stats.ops_written) / static_cast<double>(stats.commits);
  state.counters["us_per_commit"] =
      static_cast<double>(stats.commit_ns_total) / 1e3 / static_cast<double>(stats.commits);
}
BENCHMARK(BM_StoreWriterBurst)->UseRealTime()->Unit(benchmark::kMillisecond);

// A history page of 500 (the default cap) out of a conversation of 2,000 messages.
void BM_StoreHistoryPage500(benchmark::State& state) {
  qc::log::set_level(qc::log::Level::Off);
  qc::testing::TempDir dir;
  auto store = open_or_skip(dir, state);
  if (!store) return;
  std::vector<history::Op> batch;
  for (std::int64_t n = 0; n < 2'000; ++n) {
    auto m = message(1, n);
    m.conv = "#room";
    batch.push_back(std::move(m));
  }
  store->apply(batch);
  std::uint64_t before = 2'001;
  for (auto _ : state) {
    auto page = store->read(history::ReadPage{"#room", before, {}, 500, 1});
    if (page.pages.empty() || page.pages[0].msgs.size() != 500) state.SkipWithError("short page");
    before = before > 1'000 ? before - 500 : 2'001;  // walk back, then start again
    benchmark::DoNotOptimize(page);
  }
  state.SetItemsProcessed(state.iterations() * 500);
}
BENCHMARK(BM_StoreHistoryPage500)->Unit(benchmark::kMicrosecond);

}  // namespace
