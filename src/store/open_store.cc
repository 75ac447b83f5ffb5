#include "store/open_store.h"

#include "store/pg_store.h"

namespace qc::store {

Result<std::unique_ptr<AccountStore>> open_account_store(const std::string& db,
                                                         const SqliteOptions& opts) {
  if (is_postgres_url(db)) return open_postgres_store(db);
  return open_sqlite_store(db, opts);
}

Result<std::unique_ptr<MessageStore>> open_message_store(const std::string& db) {
  if (is_postgres_url(db)) return open_postgres_message_store(db);
  return open_sqlite_message_store(db);
}

}  // namespace qc::store
