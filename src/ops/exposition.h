// Prometheus text exposition format 0.0.4, written without any socket: one call per metric
// family, which emits its HELP and TYPE lines and then its samples, so a family's samples can
// never be split. The metrics responder serves what this produces.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qc::ops {

inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  Labels labels;
  double value = 0;
};

// Counts observations into fixed buckets (upper bounds, ascending); cheap enough to observe on
// the event loop: a short linear scan.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  const std::vector<std::uint64_t>& counts() const { return counts_; }  // per bucket, + overflow
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // bounds_.size() + 1 entries, not cumulative
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

class Exposition {
 public:
  void counter(std::string_view name, std::string_view help, double value);
  void counter(std::string_view name, std::string_view help, const std::vector<Sample>& samples);
  void gauge(std::string_view name, std::string_view help, double value);
  void gauge(std::string_view name, std::string_view help, const std::vector<Sample>& samples);
  void histogram(std::string_view name, std::string_view help, const Histogram& h);
  // One family of histograms that differ by their labels (le is added to each bucket's).
  void histogram(std::string_view name, std::string_view help,
                 const std::vector<std::pair<Labels, const Histogram*>>& series);

  const std::string& text() const { return out_; }

 private:
  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, const Labels& labels, double value);
  void histogram_samples(std::string_view name, const Labels& labels, const Histogram& h);
  std::string out_;
};

// Numbers as Prometheus reads them: integers without a fraction, others in shortest form,
// and +Inf, -Inf, NaN.
std::string format_value(double value);

// A metric or label name: [a-zA-Z_:][a-zA-Z0-9_:]* (label names without ':').
bool valid_metric_name(std::string_view name);

}  // namespace qc::ops
