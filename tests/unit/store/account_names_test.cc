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

class AccountNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    store_ = open();
    ASSERT_TRUE(store_);
  }
  std::unique_ptr<AccountStore> open() {
    auto r = open_sqlite_store(path());
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? std::move(r.value()) : nullptr;
  }
  std::string path() const { return dir_.file("accounts.db"); }
  std::uint64_t id_of(std::string_view name) {
    auto found = store_->find_account(name);
    EXPECT_TRUE(found && found->has_value()) << name;
    return found && found->has_value() ? (*found)->id : 0;
  }
  TempDir dir_;
  std::unique_ptr<AccountStore> store_;
};

TEST(NormalizedUsername, IsAsciiLowerCase) {
  EXPECT_EQ(normalized_username("Alice.B-C_9"), "alice.b-c_9");
  EXPECT_EQ(normalized_username("bob"), "bob");
}

TEST_F(AccountNamesTest, IdsAscendAndAreNeverReused) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  ASSERT_TRUE(store_->add("bob", kHashA));
  const auto alice = id_of("alice");
  const auto bob = id_of("bob");
  EXPECT_GT(alice, 0u);
  EXPECT_GT(bob, alice);
  // Deleting the account with the highest id must not free that id, not even across a reopen.
  ASSERT_TRUE(store_->remove("bob"));
  store_ = open();
  ASSERT_TRUE(store_->add("bob", kHashB));
  EXPECT_GT(id_of("bob"), bob);
  EXPECT_EQ(id_of("alice"), alice);
}

TEST_F(AccountNamesTest, LookupsIgnoreCaseAndReturnTheStoredSpelling) {
  ASSERT_TRUE(store_->add("Alice", kHashA));
  auto found = store_->find_account("aLICE");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "Alice");
  EXPECT_EQ((*found)->hash, kHashA);
  ASSERT_TRUE(store_->set_hash("alice", kHashB));
  EXPECT_EQ((*store_->find_account("ALICE"))->hash, kHashB);
  ASSERT_TRUE(store_->remove("ALICE"));
  EXPECT_THAT(*store_->list(), IsEmpty());
}

// Until the login path uses find_account, another case must not log in as a second session.
TEST_F(AccountNamesTest, FindHashMatchesTheExactSpellingOnly) {
  ASSERT_TRUE(store_->add("Alice", kHashA));
  EXPECT_EQ(store_->find_hash("Alice")->value_or(""), kHashA);
  EXPECT_FALSE(store_->find_hash("alice")->has_value());
}

TEST_F(AccountNamesTest, AddRefusesANameThatDiffersOnlyInCase) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  auto again = store_->add("ALICE", kHashB);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "exists");
  EXPECT_EQ(again.error().message, "user 'ALICE' already exists as 'alice'");
  auto many = store_->add_many({{"bob", kHashA}, {"Alice", kHashA}});
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, "exists");
  EXPECT_THAT(*store_->list(), ElementsAre("alice"));
  EXPECT_EQ(store_->find_hash("alice")->value_or(""), kHashA);
}

TEST_F(AccountNamesTest, ListSortsIgnoringCaseWithIds) {
  ASSERT_TRUE(store_->add("bob", kHashA));
  ASSERT_TRUE(store_->add("Cam", kHashA));
  ASSERT_TRUE(store_->add("alice", kHashA));
  EXPECT_THAT(*store_->list(), ElementsAre("alice", "bob", "Cam"));
  auto accounts = store_->list_accounts();
  ASSERT_TRUE(accounts);
  ASSERT_EQ(accounts->size(), 3u);
  EXPECT_EQ((*accounts)[0].id, id_of("alice"));
  EXPECT_EQ((*accounts)[2].name, "Cam");
}

TEST_F(AccountNamesTest, RenameKeepsIdAndHash) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  const auto id = id_of("alice");
  ASSERT_TRUE(store_->rename("ALICE", "alicia"));
  auto found = store_->find_account("alicia");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->id, id);
  EXPECT_EQ((*found)->hash, kHashA);
  EXPECT_FALSE(store_->find_account("alice")->has_value());
  // A change of case only is allowed, and becomes the canonical spelling.
  ASSERT_TRUE(store_->rename("alicia", "Alicia"));
  EXPECT_EQ((*store_->find_account("alicia"))->name, "Alicia");
  EXPECT_EQ(id_of("alicia"), id);
}

TEST_F(AccountNamesTest, RenameRefusesMissingInvalidAndTakenNames) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  ASSERT_TRUE(store_->add("bob", kHashB));
  EXPECT_EQ(store_->rename("zed", "zoe").error().code, "not_found");
  EXPECT_EQ(store_->rename("alice", "no good").error().code, "invalid_username");
  EXPECT_EQ(store_->rename("no good", "alice2").error().code, "invalid_username");
  auto taken = store_->rename("alice", "BOB");
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, "exists");
  EXPECT_EQ(taken.error().message, "user 'BOB' already exists as 'bob'");
  EXPECT_THAT(*store_->list(), ElementsAre("alice", "bob"));
}

TEST_F(AccountNamesTest, AHealthyDatabaseHasNoCaseConflicts) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  EXPECT_THAT(*store_->case_conflicts(), IsEmpty());
  EXPECT_TRUE(check_no_case_conflicts(*store_));
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
