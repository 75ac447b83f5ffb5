#include "store/pg_schema.h"

#include <iterator>

#include "store/pg_retry.h"

namespace qc::store::pg {
namespace {

// Any constant shared by every quicchat node (the single-key space; "qchatsch").
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(8243117446318893928)";

struct Migration {
  int version;
  const char* sql;
};

// Append only. The tables are SQLite schema 3's (see schema.cc for why each exists). Account ids
// come from an identity sequence: PostgreSQL never gives a sequence value twice, so a deleted
// account's id is never reused. Names are unique case-insensitively (lower() folds ASCII, the
// whole alphabet of a valid name). conversations.last_id is the highest message id ever given in
// a conversation; retention never deletes that row.
constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE accounts ("
     "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
     "  username text NOT NULL UNIQUE,"
     "  password_hash text NOT NULL,"
     "  created_at bigint NOT NULL,"
     "  updated_at bigint NOT NULL);"
     "CREATE UNIQUE INDEX accounts_username_nocase ON accounts (lower(username));"
     "CREATE TABLE meta (key text PRIMARY KEY, value bigint NOT NULL);"
     "INSERT INTO meta (key, value)"
     "  VALUES ('epoch', (extract(epoch FROM clock_timestamp()) * 1000)::bigint);"
     "CREATE TABLE conversations (conv text PRIMARY KEY, last_id bigint NOT NULL);"
     "CREATE TABLE messages ("
     "  conv text NOT NULL,"
     "  id bigint NOT NULL,"
     "  ts bigint NOT NULL,"
     "  sender_id bigint NOT NULL,"
     "  sender text NOT NULL,"
     "  recipients text NOT NULL,"
     "  text text NOT NULL,"
     "  cid text NOT NULL,"
     "  PRIMARY KEY (conv, id));"
     "CREATE UNIQUE INDEX messages_sender_cid ON messages (sender_id, cid, conv) WHERE cid <> '';"
     "CREATE INDEX messages_ts ON messages (ts);"
     "CREATE TABLE rooms ("
     "  key text PRIMARY KEY,"
     "  name text NOT NULL,"
     "  topic text NOT NULL,"
     "  op_id bigint NOT NULL,"
     "  created_at bigint NOT NULL);"
     "CREATE TABLE room_members ("
     "  key text NOT NULL,"
     "  account_id bigint NOT NULL,"
     "  PRIMARY KEY (key, account_id));"
     "CREATE TABLE cursors ("
     "  account_id bigint NOT NULL,"
     "  conv text NOT NULL,"
     "  read_id bigint NOT NULL,"
     "  PRIMARY KEY (account_id, conv))"},
};

Result<std::int64_t> single_integer(Connection& conn, const char* sql) {
  auto rows = conn.run(sql);
  if (!rows) return Unexpected<Error>{rows.error()};
  if (rows->size() != 1) return fail("db_schema", std::string(sql) + ": no row");
  return rows->integer(0, 0);
}

// Creates schema_version in a database without tables; refuses one with other tables.
Result<void> ensure_version_table(Connection& conn) {
  auto has = single_integer(conn,
                            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                            "AND tablename = 'schema_version'");
  if (!has) return Unexpected<Error>{has.error()};
  if (*has == 1) return {};
  auto tables =
      single_integer(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()");
  if (!tables) return Unexpected<Error>{tables.error()};
  if (*tables > 0) {
    return fail("db_schema", conn.shown_url() +
                                 ": a PostgreSQL database without quicchat's schema_version "
                                 "table; refusing to use it");
  }
  return conn.script(
      "CREATE TABLE schema_version (id integer PRIMARY KEY CHECK (id = 1),"
      "  version integer NOT NULL);"
      "INSERT INTO schema_version (id, version) VALUES (1, 0)");
}

Result<void> migrate_locked(Connection& conn) {
  if (auto locked = conn.run(kMigrationLock); !locked) return Unexpected<Error>{locked.error()};
  if (auto r = ensure_version_table(conn); !r) return r;
  auto version = single_integer(conn, "SELECT version FROM schema_version WHERE id = 1");
  if (!version) return Unexpected<Error>{version.error()};
  if (*version > latest_schema_version()) {
    return fail("db_schema", conn.shown_url() + ": database schema version " +
                                 std::to_string(*version) + " is newer than this quicchat (" +
                                 std::to_string(latest_schema_version()) + "); refusing to start");
  }
  for (const auto& m : kMigrations) {
    if (m.version <= *version) continue;
    if (auto r = conn.script(m.sql); !r) return r;
    auto bump = conn.run("UPDATE schema_version SET version = $1 WHERE id = 1",
                         {std::to_string(m.version)});
    if (!bump) return Unexpected<Error>{bump.error()};
  }
  return {};
}

}  // namespace

int latest_schema_version() { return std::prev(std::end(kMigrations))->version; }

Result<std::unique_ptr<Connection>> open_and_migrate(const std::string& url) {
  auto conn = Connection::open(url);
  if (!conn) return conn;
  if (auto r = with_retry(**conn, Kind::Transaction, [&] { return migrate_locked(**conn); }); !r) {
    return Unexpected<Error>{r.error()};
  }
  return conn;
}

}  // namespace qc::store::pg
