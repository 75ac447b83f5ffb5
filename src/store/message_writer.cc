// The writer thread: jobs first in, first out; consecutive writes share one transaction.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>

#include "store/message_store.h"

namespace qc::store {

namespace {

struct WriteJob {
  std::vector<history::Op> ops;
  MessageWriter::WriteDone done;
};
struct ReadJob {
  history::Query query;
  MessageWriter::ReadDone done;
};
struct PurgeJob {
  Retention retention;
  std::int64_t now_unix_ms = 0;
  std::size_t limit = 0;
  MessageWriter::PurgeDone done;
};
using Job = std::variant<WriteJob, ReadJob, PurgeJob>;

// What a job counts against max_queued_ops. Purges are the server's own upkeep, small and
// periodic: never refused, not counted.
std::size_t cost_of(const Job& job) {
  if (const auto* w = std::get_if<WriteJob>(&job)) return w->ops.size();
  return std::holds_alternative<ReadJob>(job) ? 1 : 0;
}

std::uint64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since)
          .count());
}

}  // namespace

struct MessageWriter::Impl {
  Impl(std::unique_ptr<MessageStore> s, WriterOptions o) : store(std::move(s)), options(o) {
    thread = std::thread([this] { run(); });
  }

  // Takes the job (moved from) unless the queue is over its bound: then false, counted as
  // refused, and `job` is left as it was. An empty queue takes any job.
  bool enqueue(Job& job) {
    {
      std::lock_guard<std::mutex> lock(mu);
      const std::size_t cost = cost_of(job);
      if (queued_ops > 0 && queued_ops + cost > options.max_queued_ops) {
        ++stats.refused;
        return false;
      }
      queued_ops += cost;
      jobs.push_back(std::move(job));
    }
    wake.notify_one();
    return true;
  }

  void run() {
    for (;;) {
      std::vector<Job> next = take_next();
      if (next.empty()) return;  // stopping, and every job is done
      if (std::holds_alternative<WriteJob>(next.front())) {
        write_group(next);
      } else if (auto* r = std::get_if<ReadJob>(&next.front())) {
        read(*r);
      } else {
        auto& p = std::get<PurgeJob>(next.front());
        p.done(store->purge(p.retention, p.now_unix_ms, p.limit));
      }
    }
  }

  // The front job; when it is a write, with the writes right behind it, up to max_batch_ops ops.
  std::vector<Job> take_next() {
    std::unique_lock<std::mutex> lock(mu);
    wake.wait(lock, [this] { return stopping || !jobs.empty(); });
    std::vector<Job> taken;
    std::size_t group_ops = 0;
    while (!jobs.empty()) {
      const bool write = std::holds_alternative<WriteJob>(jobs.front());
      if (!taken.empty() && !write) break;
      const std::size_t cost = cost_of(jobs.front());
      if (!taken.empty() && group_ops + cost > options.max_batch_ops) break;
      group_ops += cost;
      queued_ops -= cost;
      taken.push_back(std::move(jobs.front()));
      jobs.pop_front();
      if (!write) break;
    }
    return taken;
  }

  void write_group(std::vector<Job>& group) {
    std::vector<history::Op> batch;
    for (auto& job : group) {
      auto& ops = std::get<WriteJob>(job).ops;
      std::move(ops.begin(), ops.end(), std::back_inserter(batch));
    }
    const auto start = std::chrono::steady_clock::now();
    auto results = store->apply(batch);    // returns after the commit's fsync
    if (results.size() != batch.size()) {  // a store that broke its contract: nothing is known
      results.assign(batch.size(), {history::Status::Failed, 0, "the store lost count of a batch"});
    }
    const std::uint64_t took = elapsed_ns(start);
    {
      std::lock_guard<std::mutex> lock(mu);
      ++stats.commits;
      stats.commit_ns_total += took;
      stats.ops_written += batch.size();
    }
    std::size_t offset = 0;
    for (auto& job : group) {
      auto& w = std::get<WriteJob>(job);
      const std::size_t n = w.ops.size();
      w.done(std::vector<history::OpResult>(std::make_move_iterator(results.begin() + offset),
                                            std::make_move_iterator(results.begin() + offset + n)));
      offset += n;
    }
  }

  void read(ReadJob& job) {
    auto result = std::holds_alternative<history::ReadRooms>(job.query) ? read_rooms()
                                                                        : store->read(job.query);
    {
      std::lock_guard<std::mutex> lock(mu);
      ++stats.reads;
    }
    job.done(std::move(result));
  }

  history::ReadResult read_rooms() {
    history::ReadResult result;
    auto rooms = store->load_rooms();
    if (rooms) {
      result.rooms = std::move(*rooms);
    } else {
      result.status = history::Status::Failed;
      result.detail = rooms.error().message;
    }
    return result;
  }

  std::unique_ptr<MessageStore> store;
  const WriterOptions options;
  mutable std::mutex mu;
  std::condition_variable wake;
  std::deque<Job> jobs;
  std::size_t queued_ops = 0;
  bool stopping = false;
  Stats stats;
  std::thread thread;  // last: it starts once everything above exists
};

MessageWriter::MessageWriter(std::unique_ptr<MessageStore> store, WriterOptions options)
    : impl_(std::make_unique<Impl>(std::move(store), options)) {}

MessageWriter::~MessageWriter() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
}

void MessageWriter::write(std::vector<history::Op> ops, WriteDone done) {
  const std::size_t n = ops.size();
  Job job = WriteJob{std::move(ops), std::move(done)};
  if (impl_->enqueue(job)) return;
  std::get<WriteJob>(job).done(
      std::vector<history::OpResult>(n, history::OpResult{history::Status::QueueFull, 0, {}}));
}

void MessageWriter::read(history::Query query, ReadDone done) {
  Job job = ReadJob{std::move(query), std::move(done)};
  if (impl_->enqueue(job)) return;
  std::get<ReadJob>(job).done(
      history::ReadResult{history::Status::QueueFull, "the store's queue is full", {}, {}});
}

void MessageWriter::purge(Retention retention, std::int64_t now_unix_ms, std::size_t limit,
                          PurgeDone done) {
  Job job = PurgeJob{retention, now_unix_ms, limit, std::move(done)};
  (void)impl_->enqueue(job);  // never refused
}

MessageWriter::Stats MessageWriter::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stats s = impl_->stats;
  s.queued = impl_->queued_ops;
  return s;
}

}  // namespace qc::store
