// The SQLite message store's migration from the previous release's schema.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "../support/temp_dir.h"
#include "message_test_support.h"
#include "store/account_store.h"

namespace qc::store {
namespace {

using namespace test;

// A database written by the previous release (schema 2: accounts only) gains the message tables
// and keeps its accounts.
TEST(MessageStoreMigration, ASchema2DatabaseIsMigratedInPlace) {
  qc::testing::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.file("v2.db");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1),"
                         "  version INTEGER NOT NULL);"
                         "INSERT INTO schema_version VALUES (1, 2);"
                         "CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                         "  username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,"
                         "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
                         "INSERT INTO accounts (username, password_hash, created_at, updated_at)"
                         "  VALUES ('alice', 'hash-a', 1, 1);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);

  auto store = open_store(path);
  ASSERT_NE(store, nullptr);
  std::vector<history::Op> ops{history::CreateRoom{"#a", "#a", 1, 1}, history::AddMember{"#a", 1}};
  ASSERT_EQ(store->apply(ops).size(), 2u);
  auto rooms = store->load_rooms();
  ASSERT_TRUE(rooms);
  ASSERT_EQ(rooms->size(), 1u);
  EXPECT_EQ(rooms->front().op, "alice");
  auto accounts = open_sqlite_store(path);
  ASSERT_TRUE(accounts);
  auto alice = (*accounts)->find_account("alice");
  ASSERT_TRUE(alice && alice->has_value());
  EXPECT_EQ((*alice)->id, 1u);
  EXPECT_EQ((*alice)->hash, "hash-a");
}

}  // namespace
}  // namespace qc::store
