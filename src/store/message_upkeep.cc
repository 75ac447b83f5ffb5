// The message store's upkeep: retention, the rooms loaded at start, and opening it.
#include <map>

#include "store/message_sqlite.h"
#include "store/sqlite_open.h"
#include "util/log.h"

namespace qc::store {

using sqlite::StmtUse;

Result<std::uint64_t> SqliteMessageStore::purge_step(sqlite3_stmt* st, std::int64_t bound,
                                                     std::size_t limit) {
  StmtUse use(st);
  use.bind(1, static_cast<sqlite3_int64>(bound));
  use.bind(2, static_cast<sqlite3_int64>(limit));
  if (use.step() != SQLITE_DONE) return db_error("cannot apply retention");
  return static_cast<std::uint64_t>(sqlite3_changes(db_.get()));
}

PurgeResult SqliteMessageStore::purge(const Retention& retention, std::int64_t now_unix_ms,
                                      std::size_t limit) {
  sqlite::Transaction tx(db_.get());
  std::uint64_t deleted = 0;
  auto run = [&]() -> Result<void> {
    if (auto r = tx.begin(); !r) return r;
    if (retention.max_age.count() > 0) {
      auto n = purge_step(st_.purge_by_age.get(), now_unix_ms - retention.max_age.count(), limit);
      if (!n) return Unexpected<Error>{n.error()};
      deleted += *n;
    }
    if (retention.max_per_conv > 0 && deleted < limit) {
      auto n = purge_step(st_.purge_by_count.get(),
                          static_cast<std::int64_t>(retention.max_per_conv), limit - deleted);
      if (!n) return Unexpected<Error>{n.error()};
      deleted += *n;
    }
    return tx.commit();
  };
  if (auto r = run(); !r) {
    log::warn("retention_failed", {{"error", r.error().message}});
    return {};
  }
  return {deleted, limit > 0 && deleted >= limit};
}

Result<std::vector<history::StoredRoom>> SqliteMessageStore::load_rooms() {
  std::vector<history::StoredRoom> rooms;
  std::map<std::string, std::size_t> index;
  {
    StmtUse use(st_.rooms.get());
    int rc = SQLITE_ROW;
    while ((rc = use.step()) == SQLITE_ROW) {
      history::StoredRoom r;
      r.key = use.column_text(0);
      r.name = use.column_text(1);
      r.topic = use.column_text(2);
      r.op_id = static_cast<std::uint64_t>(use.column_int(3));
      r.op = use.column_text(4);
      index[r.key] = rooms.size();
      rooms.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return db_error("cannot load rooms");
  }
  StmtUse use(st_.members.get());
  int rc = SQLITE_ROW;
  while ((rc = use.step()) == SQLITE_ROW) {
    const auto room = index.find(use.column_text(0));
    if (room == index.end()) continue;  // a member row of a room that is gone
    rooms[room->second].members.push_back(static_cast<std::uint64_t>(use.column_int(1)));
    rooms[room->second].member_names.push_back(use.column_text(2));
  }
  if (rc != SQLITE_DONE) return db_error("cannot load room members");
  return rooms;
}

Result<std::unique_ptr<MessageStore>> open_sqlite_message_store(const std::string& path) {
  auto db = open_database(path, SqliteOptions{});
  if (!db) return Unexpected<Error>{db.error()};
  auto st = prepare_message_statements(db->get());
  if (!st) return Unexpected<Error>{st.error()};
  std::uint64_t epoch = 0;
  {
    StmtUse use(st->epoch.get());
    if (use.step() != SQLITE_ROW) return sqlite::db_fail(db->get(), "db_schema", "no epoch");
    epoch = static_cast<std::uint64_t>(use.column_int(0));
  }
  return std::unique_ptr<MessageStore>(
      new SqliteMessageStore(std::move(*db), std::move(*st), epoch));
}

}  // namespace qc::store
