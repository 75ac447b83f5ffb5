// The process_* metrics every Prometheus exporter has, from /proc (Linux).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace qc::ops {

struct ProcessStats {
  double cpu_seconds = 0;  // user + system
  std::uint64_t resident_bytes = 0;
  double start_time_seconds = 0;  // Unix time the process started
};

struct ProcStatFields {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t start_ticks = 0;  // since boot
  std::uint64_t rss_pages = 0;
};

// Pure: the fields of a /proc/<pid>/stat line (the command name may hold spaces and parentheses;
// the fields follow its last ')'), and the "btime" of /proc/stat.
std::optional<ProcStatFields> parse_proc_stat(std::string_view line);
std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat);

// Reads /proc/self/stat now; nullopt when /proc is unreadable.
std::optional<ProcessStats> read_process_stats();

}  // namespace qc::ops
