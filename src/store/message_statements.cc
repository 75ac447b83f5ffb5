// The message store's SQL, in one place.
#include <utility>

#include "store/message_sqlite.h"

namespace qc::store {

namespace {

constexpr const char* kMessageColumns =
    "SELECT id, ts, sender, recipients, text, cid FROM messages ";

// Lists the conversation for the account, its cursor at the conversation's latest id, unless it is
// listed already. (`WHERE true` lets SQLite parse an upsert after a SELECT.)
constexpr const char* kListAtLatest =
    "INSERT INTO cursors (account_id, conv, read_id) "
    "SELECT ?1, ?2, coalesce((SELECT last_id FROM conversations WHERE conv = ?2), 0) WHERE true "
    "ON CONFLICT DO NOTHING";
// Moves forward only, and never past the conversation's last id.
constexpr const char* kCursorForward =
    "INSERT INTO cursors (account_id, conv, read_id) "
    "SELECT ?1, ?2, min(?3, coalesce((SELECT last_id FROM conversations WHERE conv = ?2), 0)) "
    "WHERE true "
    "ON CONFLICT (account_id, conv) DO UPDATE SET read_id = max(read_id, excluded.read_id)";
// Retention deletes messages, never conversations rows: last_id stays.
constexpr const char* kPurgeByAge =
    "DELETE FROM messages WHERE (conv, id) IN "
    "(SELECT conv, id FROM messages WHERE ts < ?1 ORDER BY ts LIMIT ?2)";
constexpr const char* kPurgeByCount =
    "DELETE FROM messages WHERE (conv, id) IN "
    "(SELECT m.conv, m.id FROM conversations c CROSS JOIN messages m "
    " ON m.conv = c.conv AND m.id <= c.last_id - ?1 LIMIT ?2)";

}  // namespace

Result<MessageStatements> prepare_message_statements(sqlite3* db) {
  MessageStatements st;
  const std::string columns = kMessageColumns;
  const std::string page_ascending =
      columns + "WHERE conv = ?1 AND id > ?2 AND id < ?3 ORDER BY id LIMIT ?4";
  const std::string page_descending =
      columns + "WHERE conv = ?1 AND id > ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4";
  const std::pair<sqlite::StmtHandle*, std::string_view> plan[] = {
      // `cid != ''` lets SQLite use the partial unique index.
      {&st.find_cid,
       "SELECT id FROM messages WHERE sender_id = ?1 AND cid = ?2 AND conv = ?3 AND cid != ''"},
      {&st.last_id, "SELECT last_id FROM conversations WHERE conv = ?1"},
      {&st.next_id,
       "INSERT INTO conversations (conv, last_id) VALUES (?1, 1) "
       "ON CONFLICT (conv) DO UPDATE SET last_id = last_id + 1 RETURNING last_id"},
      {&st.insert_message,
       "INSERT INTO messages (conv, id, ts, sender_id, sender, recipients, text, cid) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&st.cursor_of, "SELECT read_id FROM cursors WHERE account_id = ?1 AND conv = ?2"},
      {&st.cursor_at,
       "INSERT INTO cursors (account_id, conv, read_id) VALUES (?1, ?2, ?3) "
       "ON CONFLICT DO NOTHING"},
      {&st.cursor_at_latest, kListAtLatest},
      {&st.cursor_forward, kCursorForward},
      // The sender has read its own message when it had read everything before it.
      {&st.sender_read,
       "UPDATE cursors SET read_id = ?3 WHERE account_id = ?1 AND conv = ?2 AND read_id = ?3 - 1"},
      {&st.create_room,
       "INSERT INTO rooms (key, name, topic, op_id, created_at) VALUES (?1, ?2, '', ?3, ?4) "
       "ON CONFLICT DO NOTHING"},
      {&st.room_op,
       "SELECT r.op_id, coalesce(a.username, '') FROM rooms r "
       "LEFT JOIN accounts a ON a.id = r.op_id WHERE r.key = ?1"},
      {&st.add_member,
       "INSERT INTO room_members (key, account_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING"},
      {&st.remove_member, "DELETE FROM room_members WHERE key = ?1 AND account_id = ?2"},
      {&st.drop_cursor, "DELETE FROM cursors WHERE conv = ?1 AND account_id = ?2"},
      {&st.set_topic, "UPDATE rooms SET topic = ?2 WHERE key = ?1"},
      {&st.page_ascending, page_ascending},
      {&st.page_descending, page_descending},
      {&st.listed_convs,
       "SELECT c.conv, c.read_id, coalesce(v.last_id, 0) FROM cursors c "
       "LEFT JOIN conversations v ON v.conv = c.conv WHERE c.account_id = ?1 ORDER BY c.conv"},
      {&st.purge_by_age, kPurgeByAge},
      {&st.purge_by_count, kPurgeByCount},
      {&st.rooms,
       "SELECT r.key, r.name, r.topic, r.op_id, coalesce(a.username, '') FROM rooms r "
       "LEFT JOIN accounts a ON a.id = r.op_id ORDER BY r.key"},
      // A deleted account's membership is dead (its id is never given again): left out.
      {&st.members,
       "SELECT m.key, m.account_id, a.username FROM room_members m "
       "JOIN accounts a ON a.id = m.account_id ORDER BY m.key, m.account_id"},
      {&st.epoch, "SELECT value FROM meta WHERE key = 'epoch'"},
  };
  for (const auto& [slot, sql] : plan) {
    auto prepared = sqlite::prepare(db, sql);
    if (!prepared) return Unexpected<Error>{prepared.error()};
    *slot = std::move(prepared.value());
  }
  return st;
}

}  // namespace qc::store
