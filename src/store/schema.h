// The accounts schema and its ordered migrations, recorded in a one-row schema_version table.
#pragma once

#include <sqlite3.h>

#include <string>

#include "util/result.h"

namespace qc::store {

// The newest schema this code knows. A database with a newer one is refused, never touched.
int latest_schema_version();

// Brings the database at `path` (already open as `db`) up to the latest schema in one
// transaction. Refuses a newer schema, and an SQLite database that is not a quicchat one.
// Also creates the case-insensitive unique index on names where no names differ only in case.
Result<void> migrate(sqlite3* db, const std::string& path);

// Creates that index when there is no case conflict (and it is missing); does nothing otherwise.
Result<void> ensure_case_index(sqlite3* db);

}  // namespace qc::store
