// Which store --db means: a postgresql:// or postgres:// URL opens PostgreSQL, anything else is
// an SQLite file path (the embedded default).
#pragma once

#include <memory>
#include <string>

#include "store/account_store.h"
#include "store/db_url.h"
#include "store/message_store.h"

namespace qc::store {

// `opts` applies to SQLite only.
Result<std::unique_ptr<AccountStore>> open_account_store(const std::string& db,
                                                         const SqliteOptions& opts = {});
Result<std::unique_ptr<MessageStore>> open_message_store(const std::string& db);

}  // namespace qc::store
