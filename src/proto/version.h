// Version negotiation as a pure function: the highest version both sides support.
#pragma once

#include <cstdint>
#include <span>

#include "util/result.h"

namespace qc::proto {

inline constexpr std::int64_t kSupportedVersions[] = {1};

// Highest common version; an error ("No compatible version") when there is none.
Result<std::int64_t> negotiate_version(
    std::span<const std::int64_t> offered,
    std::span<const std::int64_t> supported = kSupportedVersions);

}  // namespace qc::proto
