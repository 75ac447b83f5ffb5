// Latency samples and their percentiles.
#pragma once

#include <cstdint>
#include <vector>

namespace qc::bench {

class LatencySamples {
 public:
  void reserve(std::size_t n) { ns_.reserve(n); }
  void add(std::int64_t ns) {
    ns_.push_back(ns);
    sorted_ = false;
  }
  std::size_t size() const { return ns_.size(); }
  void append(const LatencySamples& other) {
    ns_.insert(ns_.end(), other.ns_.begin(), other.ns_.end());
    sorted_ = false;
  }
  void clear() {
    ns_.clear();
    sorted_ = false;
  }

  // Nearest-rank percentile in microseconds (p in [0, 100]); 0 when there are no samples.
  double percentile_us(double p);

 private:
  std::vector<std::int64_t> ns_;
  bool sorted_ = false;
};

}  // namespace qc::bench
