// The wall clock in Unix milliseconds, for what is shown or shared (records, retention cut-offs);
// never read by the sans-I/O core (src/chat, src/proto, src/util), which gets its time as input.
#pragma once

#include <chrono>
#include <cstdint>

namespace qc::io {

inline std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace qc::io
