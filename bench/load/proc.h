// What the bench reads about processes: the server's CPU time and resident memory from /proc,
// the monotonic clock in nanoseconds, and the open-files limit thousands of sockets need.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace qc::bench {

// CLOCK_MONOTONIC in ns: the clock of every timestamp the bench puts into a message.
std::int64_t now_ns();

// CPU time of every thread of `pid` in ns: the sum of /proc/PID/task/*/schedstat (ns
// resolution), or utime+stime from /proc/PID/stat (clock ticks, 10 ms) where schedstat is
// missing. Short phases need the former.
std::optional<std::int64_t> process_cpu_ns(pid_t pid);

// Time the main thread of `pid` (the server's event loop) spent runnable but waiting for a CPU,
// in ns: the second field of /proc/PID/task/PID/schedstat.
std::optional<std::int64_t> main_thread_wait_ns(pid_t pid);

// VmRSS of `pid` in KiB (/proc/PID/status).
std::optional<std::int64_t> process_rss_kib(pid_t pid);

// CPU and memory of one process at one moment; deltas between two give per-phase figures.
struct ProcSample {
  std::int64_t wall_ns = 0;
  std::int64_t cpu_ns = 0;
  std::int64_t rss_kib = 0;
  bool valid = false;  // false when there is no server pid to read (or it vanished)
  // The bench's own CPU at the same moment (CLOCK_PROCESS_CPUTIME_ID: all its threads, ended
  // ones included); 0 if unreadable.
  std::int64_t bench_cpu_ns = 0;
};
ProcSample sample_process(std::optional<pid_t> pid);

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft limit.
std::uint64_t raise_open_files_limit();

}  // namespace qc::bench
