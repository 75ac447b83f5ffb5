#include "store/sqlite_open.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "store/schema.h"
#include "util/log.h"

namespace qc::store {
namespace {

using sqlite::DbHandle;
using sqlite::StmtUse;

// The first read fails here when the file is not a database (SQLITE_NOTADB).
Result<void> probe(sqlite3* db, const std::string& path) {
  if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) ==
      SQLITE_OK) {
    return {};
  }
  if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_NOTADB) {
    return fail("db_not_database", path + ": file is not an SQLite database; refusing to touch it");
  }
  return sqlite::db_fail(db, "db_open", "cannot open " + path);
}

Result<void> configure(sqlite3* db, const std::string& path, const SqliteOptions& opts) {
  sqlite3_busy_timeout(db, opts.busy_timeout_ms);
  if (auto r = probe(db, path); !r) return r;
  auto mode = sqlite::prepare(db, "PRAGMA journal_mode = WAL");
  if (!mode) return Unexpected<Error>{mode.error()};
  StmtUse use(mode->get());
  if (use.step() != SQLITE_ROW) return sqlite::db_fail(db, "db_open", "cannot set WAL on " + path);
  const std::string got = use.column_text(0);
  // An in-memory database (tests) reports "memory"; a file must really be in WAL mode.
  if (got != "wal" && got != "memory") {
    return fail("db_open", path + ": cannot switch to WAL journal mode (got '" + got + "')");
  }
  return sqlite::exec(db, "PRAGMA synchronous = FULL");
}

// The database holds password hashes. A new file is created mode 0600, whatever the umask,
// before SQLite opens it (SQLite gives its -wal and -shm files the database's mode). An existing
// file keeps the mode its operator chose, with a warning when group or others have any access.
void guard_permissions(const std::string& path, bool create) {
  if (path == ":memory:") return;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0) return;  // SQLite says why it cannot open the path
  struct stat st {};
  const bool known = ::fstat(fd, &st) == 0;
  ::close(fd);
  if (!known || (st.st_mode & 077) == 0) return;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  log::warn("db_file_not_private",
            {{"path", path}, {"mode", mode}, {"fix", "chmod 600 the file and its -wal and -shm"}});
}

}  // namespace

Result<DbHandle> open_database(const std::string& path, const SqliteOptions& opts) {
  std::error_code ec;
  if (!opts.create_if_missing && path != ":memory:" && !std::filesystem::exists(path, ec)) {
    return fail("db_open", path + " does not exist");
  }
  guard_permissions(path, opts.create_if_missing);
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;  // one thread at a time (the caller's)
  if (opts.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) return sqlite::db_fail(db.get(), "db_open", "cannot open " + path);
  sqlite3_extended_result_codes(db.get(), 1);
  if (auto r = configure(db.get(), path, opts); !r) return Unexpected<Error>{r.error()};
  if (auto r = migrate(db.get(), path); !r) return Unexpected<Error>{r.error()};
  return db;
}

}  // namespace qc::store
