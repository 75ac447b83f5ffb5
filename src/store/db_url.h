// What --db names: a PostgreSQL URL or an SQLite file path, and how to show it without secrets.
#pragma once

#include <string>
#include <string_view>

namespace qc::store {

// postgresql://... or postgres://... (the URL forms libpq accepts); anything else is a file path.
bool is_postgres_url(std::string_view db);

// `db` fit for a log line or an error: a URL's password (in its user part or a `password=`
// parameter) becomes ***, e.g. postgresql://app:***@db.example:5432/chat. A path is unchanged.
std::string shown_db(std::string_view db);

}  // namespace qc::store
