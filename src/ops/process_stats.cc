#include "ops/process_stats.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace qc::ops {
namespace {

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<ProcStatFields> parse_proc_stat(std::string_view line) {
  std::size_t close = line.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(close + 1);
  // Field numbers as proc(5) counts them: the state after ')' is field 3.
  constexpr int kUtime = 14, kStime = 15, kStart = 22, kRss = 24;
  ProcStatFields f;
  int field = 2;
  int found = 0;
  while (!rest.empty() && field < kRss) {
    std::size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    std::size_t end = std::min(rest.find(' '), rest.size());
    std::string_view token = rest.substr(0, end);
    rest.remove_prefix(end);
    ++field;
    std::uint64_t* out = field == kUtime   ? &f.utime_ticks
                         : field == kStime ? &f.stime_ticks
                         : field == kStart ? &f.start_ticks
                         : field == kRss   ? &f.rss_pages
                                           : nullptr;
    if (out == nullptr) continue;
    auto v = to_u64(token);
    if (!v) return std::nullopt;
    *out = *v;
    ++found;
  }
  if (found != 4) return std::nullopt;
  return f;
}

std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat) {
  constexpr std::string_view kKey = "btime ";
  std::size_t at = 0;
  while (at < proc_stat.size()) {
    std::size_t end = std::min(proc_stat.find('\n', at), proc_stat.size());
    std::string_view line = proc_stat.substr(at, end - at);
    if (line.starts_with(kKey)) return to_u64(line.substr(kKey.size()));
    at = end + 1;
  }
  return std::nullopt;
}

std::optional<ProcessStats> read_process_stats() {
  static const std::optional<std::uint64_t> boot_time = [] {
    auto text = read_file("/proc/stat");
    return text ? parse_boot_time(*text) : std::nullopt;
  }();
  auto line = read_file("/proc/self/stat");
  if (!line || !boot_time) return std::nullopt;
  auto f = parse_proc_stat(*line);
  if (!f) return std::nullopt;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  ProcessStats s;
  s.cpu_seconds = static_cast<double>(f->utime_ticks + f->stime_ticks) / ticks;
  s.resident_bytes = f->rss_pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  s.start_time_seconds =
      static_cast<double>(*boot_time) + static_cast<double>(f->start_ticks) / ticks;
  return s;
}

}  // namespace qc::ops
