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
Result<void> migrate(sqlite3* db, const std::string& path);

}  // namespace qc::store
