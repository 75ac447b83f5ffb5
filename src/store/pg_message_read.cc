// The PostgreSQL message store's reads (the queries message_reading.cc cuts pages from),
// retention, the rooms loaded at start, and opening it.
#include <algorithm>
#include <map>

#include "store/pg_message_store.h"
#include "store/pg_retry.h"
#include "store/pg_schema.h"
#include "store/pg_store.h"
#include "util/log.h"

namespace qc::store {

using proto::v2::Msg;

namespace {

constexpr const char* kPageAscending =
    "SELECT id, ts, sender, recipients, text, cid FROM messages "
    "WHERE conv = $1 AND id > $2::bigint AND id < $3::bigint ORDER BY id LIMIT $4::bigint";
constexpr const char* kPageDescending =
    "SELECT id, ts, sender, recipients, text, cid FROM messages "
    "WHERE conv = $1 AND id > $2::bigint AND id < $3::bigint ORDER BY id DESC LIMIT $4::bigint";
constexpr const char* kListedConvs =
    "SELECT c.conv, c.read_id, coalesce(v.last_id, 0) FROM cursors c "
    "LEFT JOIN conversations v ON v.conv = c.conv WHERE c.account_id = $1::bigint "
    "ORDER BY c.conv COLLATE \"C\"";
// Retention deletes messages, never conversations rows: last_id stays.
constexpr const char* kPurgeByAge =
    "DELETE FROM messages WHERE (conv, id) IN "
    "(SELECT conv, id FROM messages WHERE ts < $1::bigint ORDER BY ts LIMIT $2::bigint)";
constexpr const char* kPurgeByCount =
    "DELETE FROM messages WHERE (conv, id) IN "
    "(SELECT m.conv, m.id FROM conversations c JOIN messages m "
    " ON m.conv = c.conv AND m.id <= c.last_id - $1::bigint LIMIT $2::bigint)";
constexpr const char* kRooms =
    "SELECT r.key, r.name, r.topic, r.op_id, coalesce(a.username, '') FROM rooms r "
    "LEFT JOIN accounts a ON a.id = r.op_id ORDER BY r.key COLLATE \"C\"";
// A deleted account's membership is dead (its id is never given again): left out.
constexpr const char* kMembers =
    "SELECT m.key, m.account_id, a.username FROM room_members m "
    "JOIN accounts a ON a.id = m.account_id ORDER BY m.key COLLATE \"C\", m.account_id";

std::string bounded(std::uint64_t v) { return arg(std::min(v, kNoUpperBound)); }

}  // namespace

history::ReadResult PgMessageStore::read(const history::Query& query) {
  // Several statements: a lost connection fails one of them, and the whole read is tried again.
  auto result = pg::with_retry(*conn_, pg::Kind::Read, [&]() -> Result<history::ReadResult> {
    auto r = read_messages(*this, query);
    if (r.status == history::Status::Failed && conn_->broken()) {
      return fail("db_unavailable", r.detail);
    }
    return r;
  });
  if (result) return std::move(*result);
  return history::ReadResult{history::Status::Failed, result.error().message, {}, {}};
}

Result<std::uint64_t> PgMessageStore::last_id(const std::string& conv) {
  auto rows = conn_->run("SELECT last_id FROM conversations WHERE conv = $1", {conv});
  if (!rows) return Unexpected<Error>{rows.error()};
  return rows->size() > 0 ? static_cast<std::uint64_t>(rows->integer(0, 0)) : 0;
}

Result<MessageSource::Cursor> PgMessageStore::cursor_of(std::uint64_t account_id,
                                                        const std::string& conv) {
  auto rows = conn_->run("SELECT read_id FROM cursors WHERE account_id = $1::bigint AND conv = $2",
                         {arg(account_id), conv});
  if (!rows) return Unexpected<Error>{rows.error()};
  if (rows->size() == 0) return Cursor{};
  return Cursor{true, static_cast<std::uint64_t>(rows->integer(0, 0))};
}

Result<std::vector<Msg>> PgMessageStore::messages(const std::string& conv, std::uint64_t after,
                                                  std::uint64_t before, std::uint32_t limit,
                                                  bool newest_first) {
  auto rows = conn_->run(newest_first ? kPageDescending : kPageAscending,
                         {conv, bounded(after), bounded(before), arg(std::uint64_t{limit} + 1)});
  if (!rows) return Unexpected<Error>{rows.error()};
  std::vector<Msg> out;
  for (int i = 0; i < rows->size(); ++i) {
    Msg m;
    m.conv = conv;
    m.id = static_cast<std::uint64_t>(rows->integer(i, 0));
    m.epoch = epoch_;
    m.ts = rows->integer(i, 1);
    m.from = rows->text(i, 2);
    m.to = split_names(rows->text(i, 3));
    m.text = rows->text(i, 4);
    m.cid = rows->text(i, 5);
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<MessageSource::Listed>> PgMessageStore::listed_convs(std::uint64_t account_id) {
  auto rows = conn_->run(kListedConvs, {arg(account_id)});
  if (!rows) return Unexpected<Error>{rows.error()};
  std::vector<Listed> listed;
  for (int i = 0; i < rows->size(); ++i) {
    listed.push_back({rows->text(i, 0), static_cast<std::uint64_t>(rows->integer(i, 1)),
                      static_cast<std::uint64_t>(rows->integer(i, 2))});
  }
  return listed;
}

Result<std::uint64_t> PgMessageStore::purge_step(const char* sql, std::int64_t bound,
                                                 std::size_t limit) {
  auto rows = conn_->run(sql, {arg(bound), arg(std::uint64_t{limit})});
  if (!rows) return Unexpected<Error>{rows.error()};
  return rows->changed();
}

PurgeResult PgMessageStore::purge(const Retention& retention, std::int64_t now_unix_ms,
                                  std::size_t limit) {
  auto deleted = pg::with_retry(*conn_, pg::Kind::Transaction, [&]() -> Result<std::uint64_t> {
    std::uint64_t n = 0;
    if (retention.max_age.count() > 0) {
      auto step = purge_step(kPurgeByAge, now_unix_ms - retention.max_age.count(), limit);
      if (!step) return step;
      n += *step;
    }
    if (retention.max_per_conv > 0 && n < limit) {
      auto step =
          purge_step(kPurgeByCount, static_cast<std::int64_t>(retention.max_per_conv), limit - n);
      if (!step) return step;
      n += *step;
    }
    return n;
  });
  if (!deleted) {
    log::warn("retention_failed",
              {{"code", deleted.error().code}, {"error", deleted.error().message}});
    return {};
  }
  return {*deleted, limit > 0 && *deleted >= limit};
}

Result<std::vector<history::StoredRoom>> PgMessageStore::load_rooms() {
  return pg::with_retry(*conn_, pg::Kind::Read, [&]() -> Result<std::vector<history::StoredRoom>> {
    auto room_rows = conn_->run(kRooms);
    if (!room_rows) return Unexpected<Error>{room_rows.error()};
    auto member_rows = conn_->run(kMembers);
    if (!member_rows) return Unexpected<Error>{member_rows.error()};
    std::vector<history::StoredRoom> rooms;
    std::map<std::string, std::size_t> index;
    for (int i = 0; i < room_rows->size(); ++i) {
      history::StoredRoom r;
      r.key = room_rows->text(i, 0);
      r.name = room_rows->text(i, 1);
      r.topic = room_rows->text(i, 2);
      r.op_id = static_cast<std::uint64_t>(room_rows->integer(i, 3));
      r.op = room_rows->text(i, 4);
      index[r.key] = rooms.size();
      rooms.push_back(std::move(r));
    }
    for (int i = 0; i < member_rows->size(); ++i) {
      const auto room = index.find(member_rows->text(i, 0));
      if (room == index.end()) continue;  // a member row of a room that is gone
      rooms[room->second].members.push_back(static_cast<std::uint64_t>(member_rows->integer(i, 1)));
      rooms[room->second].member_names.push_back(member_rows->text(i, 2));
    }
    return rooms;
  });
}

Result<std::unique_ptr<MessageStore>> open_postgres_message_store(const std::string& url) {
  auto conn = pg::open_and_migrate(url);
  if (!conn) return Unexpected<Error>{conn.error()};
  auto epoch = (*conn)->run("SELECT value FROM meta WHERE key = 'epoch'");
  if (!epoch) return Unexpected<Error>{epoch.error()};
  if (epoch->size() != 1) return fail("db_schema", (*conn)->shown_url() + ": no epoch");
  const auto value = static_cast<std::uint64_t>(epoch->integer(0, 0));
  return std::unique_ptr<MessageStore>(new PgMessageStore(std::move(*conn), value));
}

}  // namespace qc::store
