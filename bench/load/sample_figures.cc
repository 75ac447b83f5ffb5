#include "bench/load/sample_figures.h"

namespace qc::bench {

std::optional<std::int64_t> cpu_delta_ns(const ProcSample& before, const ProcSample& after) {
  if (!before.valid || !after.valid) return std::nullopt;
  return after.cpu_ns - before.cpu_ns;
}

void add_bench_cpu(Report& report, const ProcSample& before, const ProcSample& after) {
  if (before.bench_cpu_ns == 0 || after.bench_cpu_ns == 0) return;
  report.figure("bench_cpu_s", static_cast<double>(after.bench_cpu_ns - before.bench_cpu_ns) / 1e9,
                "s");
}

void add_rss_per_session(Report& report, const ProcSample& before, const ProcSample& after,
                         std::size_t sessions) {
  if (!before.valid || !after.valid || sessions == 0) return;
  report.figure("server_rss_before_kib", static_cast<double>(before.rss_kib), "KiB");
  report.figure("server_rss_after_kib", static_cast<double>(after.rss_kib), "KiB");
  report.figure("rss_per_session_kib",
                static_cast<double>(after.rss_kib - before.rss_kib) / static_cast<double>(sessions),
                "KiB");
}

}  // namespace qc::bench
