// The process's open-files limit (RLIMIT_NOFILE).
#pragma once

#include <cstdint>

namespace qc::io {

struct FdLimit {
  std::uint64_t soft = 0;
  std::uint64_t hard = 0;
};

// Raises the soft limit to the hard limit (a server holds one fd per qlog file, per operator
// connection, per database) and returns both as they are afterwards; zeros when unreadable.
FdLimit raise_open_files_limit();

}  // namespace qc::io
