#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <string>
#include <thread>
#include <vector>

#include "../support/temp_dir.h"
#include "store/account_store.h"
#include "util/log.h"

namespace qc::store {
namespace {

using qc::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kHashA = "$2b$04$ybcci5X0QYRZhni4KaXAm.nRCPGpzaZTtqWiwGv9clcka7L/JrP8i";
constexpr const char* kHashB = "$2a$04$b.k6gXvgObhRy5r4yJaHvuLYUv1y1ZF7m55JQV4I.539TQFE6uSEC";

// Runs one statement on a separate raw connection and returns the first column of the first row.
std::string raw_query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out = "<error>";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_ROW) {
        const unsigned char* text = sqlite3_column_text(st, 0);
        out = text ? reinterpret_cast<const char*>(text) : "<null>";
      } else if (rc == SQLITE_DONE) {
        out = "<done>";
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close_v2(db);
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  std::unique_ptr<AccountStore> open() {
    auto r = open_sqlite_store(db_path());
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? std::move(r.value()) : nullptr;
  }
  std::string db_path() const { return dir_.file("accounts.db"); }
  TempDir dir_;
};

TEST(ValidUsername, AcceptsAndRejects) {
  EXPECT_TRUE(valid_username("alice"));
  EXPECT_TRUE(valid_username("A.b-c_9"));
  EXPECT_TRUE(valid_username("x"));
  EXPECT_TRUE(valid_username(std::string(32, 'z')));
  EXPECT_FALSE(valid_username(""));
  EXPECT_FALSE(valid_username(std::string(33, 'z')));
  EXPECT_FALSE(valid_username("with space"));
  EXPECT_FALSE(valid_username("colon:"));
  EXPECT_FALSE(valid_username("comma,"));
  EXPECT_FALSE(valid_username("sl/ash"));
  EXPECT_FALSE(valid_username("caf\xc3\xa9"));
  EXPECT_FALSE(valid_username(std::string("nul\0", 4)));
}

TEST_F(SqliteStoreTest, FileIsWalWithSchemaVersionAndPassesIntegrityCheck) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->add("alice", kHashA));
  EXPECT_EQ(raw_query(db_path(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw_query(db_path(), "SELECT count(*) FROM schema_version"), "1");
  EXPECT_EQ(raw_query(db_path(), "SELECT version FROM schema_version"), "3");
  EXPECT_EQ(raw_query(db_path(), "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(
      raw_query(db_path(), "SELECT created_at > 0 AND updated_at >= created_at FROM accounts"),
      "1");
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefusedAndLeftAlone) {
  ASSERT_TRUE(open());
  ASSERT_EQ(raw_query(db_path(), "UPDATE schema_version SET version = 7"), "<done>");
  auto r = open_sqlite_store(db_path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "db_schema");
  EXPECT_THAT(r.error().message,
              HasSubstr("database schema version 7 is newer than this quicchat (3); "
                        "refusing to start"));
  EXPECT_EQ(raw_query(db_path(), "SELECT version FROM schema_version"), "7");
}

TEST_F(SqliteStoreTest, GarbageFileIsRefusedAndLeftAlone) {
  const std::string garbage = "this is not a database, just some text that is long enough\n";
  qc::testing::write_file(db_path(), garbage);
  auto r = open_sqlite_store(db_path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "db_not_database");
  EXPECT_THAT(r.error().message, HasSubstr("not an SQLite database"));
  EXPECT_EQ(qc::testing::read_file(db_path()), garbage);
}

TEST_F(SqliteStoreTest, ForeignDatabaseIsRefused) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE notes (body TEXT)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto r = open_sqlite_store(db_path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "db_schema");
  EXPECT_EQ(raw_query(db_path(), "SELECT count(*) FROM sqlite_master WHERE name = 'accounts'"),
            "0");
}

TEST_F(SqliteStoreTest, UnopenablePathsAreRefused) {
  auto missing = open_sqlite_store(dir_.file("absent.db"), SqliteOptions{false, 100});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "db_open");
  EXPECT_THAT(missing.error().message, HasSubstr("does not exist"));

  auto no_dir = open_sqlite_store(dir_.file("no/such/dir/x.db"));
  ASSERT_FALSE(no_dir);
  EXPECT_EQ(no_dir.error().code, "db_open");
  EXPECT_THAT(no_dir.error().message, HasSubstr("cannot open"));

  auto a_dir = open_sqlite_store(dir_.path().string());
  ASSERT_FALSE(a_dir);
  EXPECT_EQ(a_dir.error().code, "db_open");
}

mode_t permissions(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 07777;
}

// What opening the store at `path` logs at level WARN and above.
std::string warnings_opening(const std::string& path) {
  const log::Level was = log::level();
  log::set_level(log::Level::Warn);
  ::testing::internal::CaptureStderr();
  auto store = open_sqlite_store(path);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  log::set_level(was);
  EXPECT_TRUE(store);
  return logged;
}

// The database holds password hashes: a new one is its owner's alone whatever the umask, and so
// are SQLite's WAL and shared-memory files beside it (SQLite gives them the database's mode).
TEST_F(SqliteStoreTest, ANewDatabaseIsReadableByItsOwnerOnly) {
  const mode_t old_mask = ::umask(022);
  auto store = open();
  ::umask(old_mask);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->add("alice", kHashA));
  EXPECT_EQ(permissions(db_path()), 0600u);
  EXPECT_EQ(permissions(db_path() + "-wal"), 0600u);
  EXPECT_EQ(permissions(db_path() + "-shm"), 0600u);
}

// An existing database keeps its mode (the operator chose it), with a warning when others may
// read it.
TEST_F(SqliteStoreTest, AnExistingDatabaseOthersCanReadKeepsItsModeWithAWarning) {
  ASSERT_TRUE(open());
  ASSERT_EQ(::chmod(db_path().c_str(), 0640), 0);
  const std::string logged = warnings_opening(db_path());
  EXPECT_EQ(permissions(db_path()), 0640u);
  EXPECT_THAT(logged, HasSubstr("WARN db_file_not_private"));
  EXPECT_THAT(logged, HasSubstr("mode=0640"));
  EXPECT_THAT(logged, HasSubstr(db_path()));
}

TEST_F(SqliteStoreTest, AnExistingPrivateDatabaseOpensWithoutAWarning) {
  ASSERT_TRUE(open());
  EXPECT_EQ(warnings_opening(db_path()), "");
}

TEST(SqliteMemoryStore, InMemoryWorks) {
  auto r = open_sqlite_store(":memory:");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE((*r)->add("alice", kHashA));
  EXPECT_EQ((*r)->find_hash("alice")->value_or(""), kHashA);
}

}  // namespace
}  // namespace qc::store
