// The PostgreSQL store: accounts, messages, rooms and read cursors in one shared database, for
// several quicchat nodes at once (a cluster). Same behaviour and error codes as the SQLite
// store, plus `db_unavailable` when PostgreSQL cannot be reached (see pg_retry.h for what is
// retried). A URL's password is never shown: errors and logs name the database by shown_db().
#pragma once

#include <memory>
#include <string>

#include "store/account_store.h"
#include "store/message_store.h"
#include "util/result.h"

namespace qc::store {

// `url`: postgresql://USER@HOST:PORT/DBNAME (libpq's URL form; the password from PGPASSFILE,
// sslmode=verify-full for a remote server). Creates or migrates the schema under an advisory
// lock. Error codes: db_unavailable (cannot connect), db_schema; then as open_sqlite_store.
Result<std::unique_ptr<AccountStore>> open_postgres_store(const std::string& url);
// The message tables of the same database, on a connection of its own (the writer thread's).
Result<std::unique_ptr<MessageStore>> open_postgres_message_store(const std::string& url);

}  // namespace qc::store
