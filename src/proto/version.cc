#include "proto/version.h"

#include <algorithm>
#include <optional>

namespace qc::proto {

Result<std::int64_t> negotiate_version(std::span<const std::int64_t> offered,
                                       std::span<const std::int64_t> supported) {
  std::optional<std::int64_t> best;
  for (std::int64_t v : offered) {
    const bool common = std::find(supported.begin(), supported.end(), v) != supported.end();
    if (common && (!best || v > *best)) best = v;
  }
  if (!best) return fail("no_compatible_version", "No compatible version");
  return *best;
}

}  // namespace qc::proto
