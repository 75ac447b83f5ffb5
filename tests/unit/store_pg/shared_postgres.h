// unit_store_pg's PostgreSQL server: started once, on first use, for the whole binary (a start
// takes seconds); each test takes a new database in it.
#pragma once

#include <string>

#include "support/engines.h"

namespace qc::store::test {

itest::PostgresProcess& shared_postgres();
// A new empty database's URL ("" when the server did not start).
std::string new_postgres_database();

}  // namespace qc::store::test
