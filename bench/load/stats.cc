#include "bench/load/stats.h"

#include <algorithm>
#include <cmath>

namespace qc::bench {

double LatencySamples::percentile_us(double p) {
  if (ns_.empty()) return 0.0;
  if (!sorted_) {
    std::sort(ns_.begin(), ns_.end());
    sorted_ = true;
  }
  const double rank = std::ceil(p / 100.0 * static_cast<double>(ns_.size()));
  const std::size_t index = rank < 1.0 ? 0 : static_cast<std::size_t>(rank) - 1;
  return static_cast<double>(ns_[std::min(index, ns_.size() - 1)]) / 1000.0;
}

}  // namespace qc::bench
