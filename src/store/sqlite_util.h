// Small RAII helpers over the SQLite C API, private to the store module.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace qc::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// "context: SQLite's own message" under `code`.
Unexpected<Error> db_fail(sqlite3* db, std::string code, std::string_view context);

Result<StmtHandle> prepare(sqlite3* db, std::string_view sql);

// Runs one or more statements that return no rows the caller needs.
Result<void> exec(sqlite3* db, const char* sql);

// Resets a cached statement and clears its bindings when the scope ends, so the next use
// starts clean and no read transaction stays open.
class StmtUse {
 public:
  explicit StmtUse(sqlite3_stmt* st) : st_(st) {}
  ~StmtUse() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;

  void bind(int index, std::string_view text) {
    sqlite3_bind_text(st_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, sqlite3_int64 value) { sqlite3_bind_int64(st_, index, value); }
  int step() { return sqlite3_step(st_); }
  std::string column_text(int index) const;
  sqlite3_int64 column_int(int index) const { return sqlite3_column_int64(st_, index); }

 private:
  sqlite3_stmt* st_;
};

// BEGIN IMMEDIATE now; ROLLBACK at scope end unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Result<void> begin();
  Result<void> commit();

 private:
  sqlite3* db_;
  bool open_ = false;
};

}  // namespace qc::store::sqlite
