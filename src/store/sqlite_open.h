// Opening a quicchat database file, shared by the account store and the message store (each has
// its own connection to the same file).
#pragma once

#include <string>

#include "store/account_store.h"
#include "store/sqlite_util.h"
#include "util/result.h"

namespace qc::store {

// Opens `path` (creating it mode 0600 when allowed), in WAL mode with synchronous=FULL, and
// migrates it to the latest schema. The connection is for one thread at a time.
Result<sqlite::DbHandle> open_database(const std::string& path, const SqliteOptions& opts);

}  // namespace qc::store
