// The PostgreSQL MessageStore, private to the store module: one connection, the writer thread's.
// pg_message_apply.cc (writes), pg_message_read.cc (the queries reads are cut from, retention,
// rooms at start, opening).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/message_reading.h"
#include "store/message_store.h"
#include "store/pg_conn.h"

namespace qc::store {

class PgMessageStore final : public MessageStore, private MessageSource {
 public:
  PgMessageStore(std::unique_ptr<pg::Connection> conn, std::uint64_t epoch)
      : conn_(std::move(conn)), epoch_(epoch) {}

  std::vector<history::OpResult> apply(const std::vector<history::Op>& batch) override;
  history::ReadResult read(const history::Query& query) override;
  PurgeResult purge(const Retention& retention, std::int64_t now_unix_ms,
                    std::size_t limit) override;
  Result<std::vector<history::StoredRoom>> load_rooms() override;
  std::uint64_t epoch() const override { return epoch_; }

 private:
  // One op inside the batch's transaction: a per-op refusal is a value, a database error is not.
  Result<history::OpResult> apply_one(const history::Op& op);
  Result<history::OpResult> append(const history::AppendMessage& m);
  Result<history::OpResult> create_room(const history::CreateRoom& r);
  Result<history::OpResult> room_exists(const std::string& key);
  Result<history::OpResult> remove_member(const history::RemoveMember& m);
  // Runs a statement whose rows do not matter; the op's result is Ok.
  Result<history::OpResult> change(const char* sql, pg::Connection::Params params);

  Result<std::uint64_t> last_id(const std::string& conv) override;
  Result<Cursor> cursor_of(std::uint64_t account_id, const std::string& conv) override;
  Result<std::vector<proto::v2::Msg>> messages(const std::string& conv, std::uint64_t after,
                                               std::uint64_t before, std::uint32_t limit,
                                               bool newest_first) override;
  Result<std::vector<Listed>> listed_convs(std::uint64_t account_id) override;
  Result<std::uint64_t> purge_step(const char* sql, std::int64_t bound, std::size_t limit);

  std::unique_ptr<pg::Connection> conn_;
  std::uint64_t epoch_;
};

// Text for a statement parameter.
inline std::string arg(std::uint64_t v) { return std::to_string(v); }
inline std::string arg(std::int64_t v) { return std::to_string(v); }

}  // namespace qc::store
