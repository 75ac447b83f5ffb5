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

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // The account's password hash, or nullopt when there is no such account.
  virtual Result<std::optional<std::string>> find_hash(std::string_view username) = 0;
  virtual Result<void> add(std::string_view username, std::string_view hash) = 0;  // fails if it exists
  virtual Result<void> set_hash(std::string_view username, std::string_view hash) = 0;  // fails if missing
  virtual Result<void> remove(std::string_view username) = 0;  // fails if missing
  virtual Result<std::vector<std::string>> list() = 0;         // sorted names
};

struct SqliteOptions {
  bool create_if_missing = true;
  int busy_timeout_ms = 5000;
};

// Opens (and migrates) the SQLite database at `path`: WAL mode, a schema-version row.
// Refuses, with a clear message, a database it cannot open or one with a newer schema.
Result<std::unique_ptr<AccountStore>> open_sqlite_store(const std::string& path,
                                                        const SqliteOptions& opts = {});

}  // namespace qc::store
