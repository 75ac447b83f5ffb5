// The version of the SQLite library this process runs with (the shared library, not the
// header quicchat was built against).
#pragma once

#include <string>

namespace qc::store {

std::string sqlite_runtime_version();  // "3.40.1"

}  // namespace qc::store
