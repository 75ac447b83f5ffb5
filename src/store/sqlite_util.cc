#include "store/sqlite_util.h"

namespace qc::store::sqlite {

Unexpected<Error> db_fail(sqlite3* db, std::string code, std::string_view context) {
  std::string message(context);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : "out of memory";
  return fail(std::move(code), std::move(message));
}

Result<StmtHandle> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StmtHandle st(raw);
  if (rc != SQLITE_OK) return db_fail(db, "db", "cannot prepare '" + std::string(sql) + "'");
  return st;
}

Result<void> exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db_fail(db, "db", std::string("'") + sql + "' failed");
  }
  return {};
}

std::string StmtUse::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(st_, index);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(st_, index)));
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<void> Transaction::begin() {
  auto r = exec(db_, "BEGIN IMMEDIATE");
  open_ = r.ok();
  return r;
}

Result<void> Transaction::commit() {
  auto r = exec(db_, "COMMIT");
  if (r) open_ = false;
  return r;
}

}  // namespace qc::store::sqlite
