// Where accounts live. The server and the admin tool see only this interface.
// Implementations are safe to call from several threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace qc::store {

// 1-32 characters of [A-Za-z0-9_.-].
bool valid_username(std::string_view name);

struct NewAccount {
  std::string username;
  std::string hash;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // The account's password hash, or nullopt when there is no such account (an invalid name
  // never has one).
  virtual Result<std::optional<std::string>> find_hash(std::string_view username) = 0;
  virtual Result<void> add(std::string_view username,
                           std::string_view hash) = 0;  // fails if it exists
  virtual Result<void> set_hash(std::string_view username,
                                std::string_view hash) = 0;    // fails if missing
  virtual Result<void> remove(std::string_view username) = 0;  // fails if missing
  virtual Result<std::vector<std::string>> list() = 0;         // sorted names

  // Adds every account or none: fails, adding nothing, when a name is invalid or exists.
  // The default adds one at a time (not atomic); the SQLite store uses one transaction.
  virtual Result<void> add_many(const std::vector<NewAccount>& accounts);
};

struct SqliteOptions {
  bool create_if_missing = true;
  int busy_timeout_ms = 5000;
};

// Opens (and migrates) the SQLite database at `path`: WAL mode, synchronous=FULL (a change
// reported done survives a crash of the process), a schema-version row. Refuses, with a clear
// message, a path it cannot open, a file that is not an SQLite database, a database that is
// not quicchat's, or one with a newer schema. Never deletes data. The parent directory must
// exist. Error codes: db_open, db_not_database, db_schema; then invalid_username, exists,
// not_found, bad_hash, db.
Result<std::unique_ptr<AccountStore>> open_sqlite_store(const std::string& path,
                                                        const SqliteOptions& opts = {});

}  // namespace qc::store
