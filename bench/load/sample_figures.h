// Figures from two ProcSamples taken around a measured phase, the same for every scenario and
// for qc-peerbench, so that the reports of quicchat and of the peer servers read alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "bench/load/proc.h"
#include "bench/load/report.h"

namespace qc::bench {

// Server CPU between two samples in ns, or nullopt when either is invalid.
std::optional<std::int64_t> cpu_delta_ns(const ProcSample& before, const ProcSample& after);
// The bench's own CPU between the same two samples, as the figure bench_cpu_s: beside the
// server's, it says which of the two a figure is bound by.
void add_bench_cpu(Report& report, const ProcSample& before, const ProcSample& after);
// The server's RSS before and after, and its growth per session (server_rss_before_kib,
// server_rss_after_kib, rss_per_session_kib); nothing when either sample is invalid.
void add_rss_per_session(Report& report, const ProcSample& before, const ProcSample& after,
                         std::size_t sessions);

}  // namespace qc::bench
