// The SQLite MessageStore, private to the store module (tests reach its connection through it).
// Its work is split by kind: message_apply.cc (writes), message_read.cc (pages and catch-up),
// message_upkeep.cc (retention, rooms at start, opening).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/message_reading.h"
#include "store/message_store.h"
#include "store/sqlite_util.h"

namespace qc::store {

// Every statement the message store runs, prepared once per connection (the hot path).
struct MessageStatements {
  sqlite::StmtHandle find_cid, last_id, next_id, insert_message, cursor_of, cursor_at,
      cursor_at_latest, cursor_forward, sender_read, create_room, room_op, add_member,
      remove_member, drop_cursor, set_topic, page_ascending, page_descending, listed_convs,
      purge_by_age, purge_by_count, rooms, members, epoch;
};
Result<MessageStatements> prepare_message_statements(sqlite3* db);

class SqliteMessageStore final : public MessageStore, private MessageSource {
 public:
  SqliteMessageStore(sqlite::DbHandle db, MessageStatements st, std::uint64_t epoch)
      : db_(std::move(db)), st_(std::move(st)), epoch_(epoch) {}

  std::vector<history::OpResult> apply(const std::vector<history::Op>& batch) override;
  history::ReadResult read(const history::Query& query) override;
  PurgeResult purge(const Retention& retention, std::int64_t now_unix_ms,
                    std::size_t limit) override;
  Result<std::vector<history::StoredRoom>> load_rooms() override;
  std::uint64_t epoch() const override { return epoch_; }

  sqlite3* connection() { return db_.get(); }

 private:
  Result<std::vector<history::OpResult>> apply_in_transaction(
      const std::vector<history::Op>& batch);
  // One op inside the batch's transaction: a per-op refusal is a value, a database error is not.
  Result<history::OpResult> apply_one(const history::Op& op);
  Result<history::OpResult> append(const history::AppendMessage& m);
  Result<history::OpResult> create_room(const history::CreateRoom& r);
  Result<history::OpResult> room_exists(const std::string& key);
  Result<history::OpResult> add_member(const history::AddMember& m);
  Result<history::OpResult> remove_member(const history::RemoveMember& m);
  Result<history::OpResult> set_topic(const history::SetTopic& t);
  Result<history::OpResult> enroll(const history::Enroll& e);
  Result<history::OpResult> set_read_cursor(const history::SetReadCursor& c);

  // The queries reads are cut from (message_reading.h), also used by the writes.
  Result<std::uint64_t> last_id(const std::string& conv) override;
  Result<Cursor> cursor_of(std::uint64_t account_id, const std::string& conv) override;
  Result<std::vector<proto::v2::Msg>> messages(const std::string& conv, std::uint64_t after,
                                               std::uint64_t before, std::uint32_t limit,
                                               bool newest_first) override;
  Result<std::vector<Listed>> listed_convs(std::uint64_t account_id) override;

  Result<void> list_for(std::uint64_t account_id, const std::string& conv, std::uint64_t read);
  Result<void> list_at_latest(std::uint64_t account_id, const std::string& conv);
  Result<std::uint64_t> purge_step(sqlite3_stmt* st, std::int64_t bound, std::size_t limit);

  Unexpected<Error> db_error(std::string_view context) const;

  sqlite::DbHandle db_;  // declared before st_: statements are finalized first
  MessageStatements st_;
  std::uint64_t epoch_;
};

}  // namespace qc::store
