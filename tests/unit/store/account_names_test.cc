// Immutable account ids, case-insensitive names, rename, case conflicts, and the schema 1 -> 2
// migration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "../support/temp_dir.h"
#include "store/account_store.h"

namespace qc::store {
namespace {

using qc::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kHashA = "$2b$04$ybcci5X0QYRZhni4KaXAm.nRCPGpzaZTtqWiwGv9clcka7L/JrP8i";
constexpr const char* kHashB = "$2a$04$b.k6gXvgObhRy5r4yJaHvuLYUv1y1ZF7m55JQV4I.539TQFE6uSEC";

// A database exactly as quicchat's schema version 1 wrote it, with `rows_sql` run after the DDL.
void write_schema_v1(const std::string& path, const std::string& rows_sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string sql =
      "CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1),"
      "  version INTEGER NOT NULL);"
      "INSERT INTO schema_version (id, version) VALUES (1, 1);"
      "CREATE TABLE accounts (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL,"
      "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);" +
      rows_sql;
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

std::string v1_row(const std::string& name, const std::string& hash, int created) {
  return "INSERT INTO accounts VALUES ('" + name + "', '" + hash + "', " + std::to_string(created) +
         ", " + std::to_string(created) + ");";
}

TEST(NormalizedUsername, IsAsciiLowerCase) {
  EXPECT_EQ(normalized_username("Alice.B-C_9"), "alice.b-c_9");
  EXPECT_EQ(normalized_username("bob"), "bob");
}

class AccountMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  // Writes a schema 1 database holding `rows_sql` and opens it (which migrates it).
  std::unique_ptr<AccountStore> open_v1(const std::string& rows_sql) {
    write_schema_v1(path(), rows_sql);
    auto r = open_sqlite_store(path());
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? std::move(r.value()) : nullptr;
  }
  std::string path() const { return dir_.file("v1.db"); }
  TempDir dir_;
};

TEST_F(AccountMigrationTest, SchemaOneKeepsEveryAccountAndHashWithIdsInCreationOrder) {
  // zed was created first; the deleted row shows that order is creation order, not name order.
  auto store = open_v1(v1_row("zed", kHashA, 100) + v1_row("gone", kHashA, 150) +
                       v1_row("Bob", kHashB, 200) + v1_row("alice", kHashA, 300) +
                       "DELETE FROM accounts WHERE username = 'gone';");
  ASSERT_TRUE(store);
  auto accounts = store->list_accounts();
  ASSERT_TRUE(accounts);
  ASSERT_EQ(accounts->size(), 3u);
  EXPECT_EQ((*accounts)[0].name, "alice");
  EXPECT_EQ((*accounts)[0].hash, kHashA);
  EXPECT_EQ((*accounts)[0].id, 3u);
  EXPECT_EQ((*accounts)[1].name, "Bob");
  EXPECT_EQ((*accounts)[1].hash, kHashB);
  EXPECT_EQ((*accounts)[1].id, 2u);
  EXPECT_EQ((*accounts)[2].name, "zed");
  EXPECT_EQ((*accounts)[2].id, 1u);
  EXPECT_EQ((*store->find_account("bob"))->name, "Bob");
  ASSERT_TRUE(store->add("cam", kHashB));
  EXPECT_EQ((*store->find_account("cam"))->id, 4u);
  EXPECT_EQ(store->add("BOB", kHashA).error().code, "exists");
}

// An old database whose names differ only in case opens (for `quicchat user`) but is reported,
// every spelling stays reachable, and a rename clears the conflict for good.
TEST_F(AccountMigrationTest, CaseConflictsAreReportedNotMerged) {
  auto opened =
      open_v1(v1_row("alice", kHashA, 1) + v1_row("Alice", kHashB, 2) + v1_row("bob", kHashA, 3) +
              v1_row("BOB", kHashA, 4) + v1_row("boB", kHashA, 5) + v1_row("cam", kHashA, 6));
  ASSERT_TRUE(opened);
  auto& store = *opened;
  EXPECT_THAT(*store.case_conflicts(),
              ElementsAre(ElementsAre("Alice", "alice"), ElementsAre("BOB", "boB", "bob")));
  auto check = check_no_case_conflicts(store);
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().code, "case_conflict");
  EXPECT_EQ(check.error().message,
            "accounts differ only in case: Alice, alice; BOB, boB, bob; rename one of each group "
            "with `quicchat user rename OLD NEW`");
  // The exact spelling wins while the conflict lasts.
  EXPECT_EQ((*store.find_account("Alice"))->hash, kHashB);
  EXPECT_EQ((*store.find_account("alice"))->hash, kHashA);
  EXPECT_EQ(store.add("ALICE", kHashA).error().code, "exists");
  EXPECT_EQ(store.rename("Alice", "alice").error().code, "exists");

  ASSERT_TRUE(store.rename("Alice", "alice2"));
  ASSERT_TRUE(store.remove("BOB"));
  ASSERT_TRUE(store.rename("boB", "bob2"));
  EXPECT_THAT(*store.case_conflicts(), IsEmpty());
  EXPECT_EQ((*store.find_account("alice2"))->hash, kHashB);
  EXPECT_EQ((*store.find_account("ALICE"))->hash, kHashA);
  opened.reset();
  auto reopened = open_sqlite_store(path());
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(check_no_case_conflicts(**reopened));
  EXPECT_THAT(*(*reopened)->list(), ElementsAre("alice", "alice2", "bob", "bob2", "cam"));
}

}  // namespace
}  // namespace qc::store
