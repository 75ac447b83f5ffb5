#include "store/schema.h"

#include <iterator>

#include "store/sqlite_util.h"

namespace qc::store {
namespace {

struct Migration {
  int version;  // the schema version this step produces
  const char* sql;
};

// Append only: a released step never changes, and never drops data.
constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE accounts ("
     "  username TEXT PRIMARY KEY,"
     "  password_hash TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL)"},
    // Immutable ids: AUTOINCREMENT records the highest id ever used in sqlite_sequence, so an id
    // is never reused, even after the account with the highest one is deleted. Existing accounts
    // keep their hashes and get ids 1..N in creation (old rowid) order. `username` stays unique
    // byte for byte; case-insensitive uniqueness is the index below.
    {2,
     "CREATE TABLE accounts_v2 ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  username TEXT NOT NULL UNIQUE,"
     "  password_hash TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "INSERT INTO accounts_v2 (username, password_hash, created_at, updated_at)"
     "  SELECT username, password_hash, created_at, updated_at FROM accounts ORDER BY rowid;"
     "DROP TABLE accounts;"
     "ALTER TABLE accounts_v2 RENAME TO accounts"},
    // History, rooms and read cursors (issue 13). conversations.last_id is the highest message id
    // ever given in a conversation: retention deletes messages, never this row, so ids never go
    // back. cursors lists a conversation for an account (what its login catch-up reads) with how
    // far it has read. messages.recipients holds the display names of `to`, comma-separated
    // (names never contain a comma). meta.epoch is the database's creation time in Unix ms.
    {3,
     "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
     "INSERT INTO meta (key, value)"
     "  VALUES ('epoch', CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER));"
     "CREATE TABLE conversations ("
     "  conv TEXT PRIMARY KEY,"
     "  last_id INTEGER NOT NULL) WITHOUT ROWID;"
     "CREATE TABLE messages ("
     "  conv TEXT NOT NULL,"
     "  id INTEGER NOT NULL,"
     "  ts INTEGER NOT NULL,"
     "  sender_id INTEGER NOT NULL,"
     "  sender TEXT NOT NULL,"
     "  recipients TEXT NOT NULL,"
     "  text TEXT NOT NULL,"
     "  cid TEXT NOT NULL,"
     "  PRIMARY KEY (conv, id)) WITHOUT ROWID;"
     "CREATE UNIQUE INDEX messages_sender_cid ON messages (sender_id, cid, conv) WHERE cid != '';"
     "CREATE INDEX messages_ts ON messages (ts);"
     "CREATE TABLE rooms ("
     "  key TEXT PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  topic TEXT NOT NULL,"
     "  op_id INTEGER NOT NULL,"
     "  created_at INTEGER NOT NULL) WITHOUT ROWID;"
     "CREATE TABLE room_members ("
     "  key TEXT NOT NULL,"
     "  account_id INTEGER NOT NULL,"
     "  PRIMARY KEY (key, account_id)) WITHOUT ROWID;"
     "CREATE TABLE cursors ("
     "  account_id INTEGER NOT NULL,"
     "  conv TEXT NOT NULL,"
     "  read_id INTEGER NOT NULL,"
     "  PRIMARY KEY (account_id, conv)) WITHOUT ROWID"},
};

// Case-insensitive uniqueness of names (NOCASE folds ASCII only, which is the whole alphabet of
// a valid name). Not a migration step: a database written before it may hold names that differ
// only in case, and creating the index there would fail. So it is created on every open where
// there is no such conflict (and then it stays); where there is, the database still opens without
// it, the store refuses new case duplicates by itself, and the server refuses to start until
// `quicchat user rename` has removed the conflict.
constexpr const char* kCaseConflictCount =
    "SELECT count(*) FROM (SELECT 1 FROM accounts GROUP BY username COLLATE NOCASE "
    "HAVING count(*) > 1)";
constexpr const char* kCreateCaseIndex =
    "CREATE UNIQUE INDEX IF NOT EXISTS accounts_username_nocase "
    "ON accounts (username COLLATE NOCASE)";

Result<sqlite3_int64> query_int(sqlite3* db, const char* sql) {
  auto st = sqlite::prepare(db, sql);
  if (!st) return Unexpected<Error>{st.error()};
  sqlite::StmtUse use(st->get());
  if (use.step() != SQLITE_ROW) return sqlite::db_fail(db, "db_schema", sql);
  return use.column_int(0);
}

// Creates schema_version in an empty database; refuses a foreign database.
Result<void> ensure_version_table(sqlite3* db, const std::string& path) {
  auto has = query_int(db,
                       "SELECT count(*) FROM sqlite_master "
                       "WHERE type = 'table' AND name = 'schema_version'");
  if (!has) return Unexpected<Error>{has.error()};
  if (*has == 1) return {};
  auto tables = query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  if (!tables) return Unexpected<Error>{tables.error()};
  if (*tables > 0) {
    return fail("db_schema", path +
                                 ": an SQLite database without quicchat's schema_version table; "
                                 "refusing to use it");
  }
  return sqlite::exec(db,
                      "CREATE TABLE schema_version ("
                      "  id INTEGER PRIMARY KEY CHECK (id = 1),"
                      "  version INTEGER NOT NULL);"
                      "INSERT INTO schema_version (id, version) VALUES (1, 0);");
}

Result<void> apply(sqlite3* db, const Migration& m) {
  if (auto r = sqlite::exec(db, m.sql); !r) return r;
  const std::string bump =
      "UPDATE schema_version SET version = " + std::to_string(m.version) + " WHERE id = 1";
  return sqlite::exec(db, bump.c_str());
}

}  // namespace

Result<void> ensure_case_index(sqlite3* db) {
  auto conflicts = query_int(db, kCaseConflictCount);
  if (!conflicts) return Unexpected<Error>{conflicts.error()};
  if (*conflicts > 0) return {};
  return sqlite::exec(db, kCreateCaseIndex);
}

int latest_schema_version() { return std::prev(std::end(kMigrations))->version; }

Result<void> migrate(sqlite3* db, const std::string& path) {
  sqlite::Transaction tx(db);
  if (auto r = tx.begin(); !r) return r;
  if (auto r = ensure_version_table(db, path); !r) return r;
  auto version = query_int(db, "SELECT version FROM schema_version WHERE id = 1");
  if (!version) return fail("db_schema", path + ": schema_version has no row; refusing to start");
  if (*version > latest_schema_version()) {
    return fail("db_schema", path + ": database schema version " + std::to_string(*version) +
                                 " is newer than this quicchat (" +
                                 std::to_string(latest_schema_version()) + "); refusing to start");
  }
  for (const auto& m : kMigrations) {
    if (m.version <= *version) continue;
    if (auto r = apply(db, m); !r) return r;
  }
  if (auto r = ensure_case_index(db); !r) return r;
  return tx.commit();
}

}  // namespace qc::store
