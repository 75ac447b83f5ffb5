#include "store/library_version.h"

#include <sqlite3.h>

namespace qc::store {

std::string sqlite_runtime_version() { return sqlite3_libversion(); }

}  // namespace qc::store
