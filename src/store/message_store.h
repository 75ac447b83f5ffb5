// Where messages, rooms and read cursors live (history, offline delivery, resume). The chat core
// states what it needs in chat/history.h; this is the store's side of it. A MessageStore is one
// database connection, used by one thread at a time: the MessageWriter's.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chat/history.h"
#include "util/result.h"

namespace qc::store {

namespace history = chat::history;

struct Retention {
  std::chrono::milliseconds max_age{7LL * 24 * 3600 * 1000};  // 0: no limit by age
  std::uint64_t max_per_conv = 0;                             // 0: no limit by count
};
struct PurgeResult {
  std::uint64_t deleted = 0;
  bool more = false;  // the batch limit was reached: call again
};

// Unread, per account and conversation: the ids after the account's read cursor (ids retention
// deleted included; reads report those as `expired`). A sender's own message is not unread for
// it: when the sender had read everything before it, its cursor moves past it.
class MessageStore {
 public:
  virtual ~MessageStore() = default;
  // One transaction for the whole batch, committed durably (WAL, synchronous=FULL: the commit's
  // fsync has returned when this returns). A check that fails for one op (Exists, Duplicate,
  // OfflineFull) affects only that op; a database error fails the whole batch: every result
  // Failed with the error's words, nothing stored.
  virtual std::vector<history::OpResult> apply(const std::vector<history::Op>& batch) = 0;
  virtual history::ReadResult read(const history::Query& query) = 0;
  // Deletes at most `limit` messages older than retention allows (by ts against `now_unix_ms`),
  // oldest first; never a conversation's latest id record (ids never go back).
  virtual PurgeResult purge(const Retention& retention, std::int64_t now_unix_ms,
                            std::size_t limit) = 0;
  // For the server's start: every room with its members.
  virtual Result<std::vector<history::StoredRoom>> load_rooms() = 0;
  virtual std::uint64_t epoch() const = 0;  // fixed at the database's creation
};

// Opens the message tables in the accounts database at `path` (schema 3; migrates 2 -> 3).
Result<std::unique_ptr<MessageStore>> open_sqlite_message_store(const std::string& path);

struct WriterOptions {
  std::size_t max_queued_ops = 10'000;  // writes and reads waiting; beyond it: QueueFull at once
  std::size_t max_batch_ops = 1'000;    // writes in one transaction (group commit)
};

// The one thread that touches the MessageStore. Jobs run first in, first out; consecutive write
// jobs share one transaction and one fsync (group commit, at most max_batch_ops ops; a read or a
// purge ends a group). `done` runs on the writer thread after the commit's fsync: post it to the
// loop from there. A database error fails every job of its group (apply's rule).
// Refusal: a write or read that would take the queue over max_queued_ops (a write counts its ops,
// a read 1; an empty queue takes any job) is refused at once: its `done` runs on the CALLER's
// thread, before write()/read() returns, with QueueFull results. Purges are never refused.
class MessageWriter {
 public:
  using WriteDone = std::function<void(std::vector<history::OpResult>)>;
  using ReadDone = std::function<void(history::ReadResult)>;
  using PurgeDone = std::function<void(PurgeResult)>;
  MessageWriter(std::unique_ptr<MessageStore> store, WriterOptions options = {});
  ~MessageWriter();  // finishes the queued jobs, then joins
  MessageWriter(const MessageWriter&) = delete;
  MessageWriter& operator=(const MessageWriter&) = delete;

  void write(std::vector<history::Op> ops, WriteDone done);
  void read(history::Query query, ReadDone done);
  void purge(Retention retention, std::int64_t now_unix_ms, std::size_t limit, PurgeDone done);

  struct Stats {
    std::uint64_t commits = 0;
    std::uint64_t ops_written = 0;
    std::uint64_t reads = 0;
    std::size_t queued = 0;  // ops waiting (not counting the group being written)
    std::uint64_t refused = 0;  // QueueFull
    std::uint64_t commit_ns_total = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qc::store
