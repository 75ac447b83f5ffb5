// The PostgreSQL schema, versioned in a one-row schema_version table, private to the store module.
#pragma once

#include <memory>
#include <string>

#include "store/pg_conn.h"
#include "util/result.h"

namespace qc::store::pg {

int latest_schema_version();

// Connects to `url` and brings its database to the latest schema in one transaction, under a
// transaction-scoped advisory lock: nodes that start at once wait for each other, and the later
// ones find the schema made. Refuses (db_schema) a newer schema, and a database that has tables
// but no schema_version (not quicchat's).
Result<std::unique_ptr<Connection>> open_and_migrate(const std::string& url);

}  // namespace qc::store::pg
