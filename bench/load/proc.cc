#include "bench/load/proc.h"

#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "io/fd_limit.h"

namespace qc::bench {

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

namespace {

std::optional<std::int64_t> cpu_ns_from_schedstat(pid_t pid) {
  std::error_code ec;
  std::int64_t total = 0;
  bool any = false;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    long long on_cpu_ns = 0;
    if (in >> on_cpu_ns) {
      total += on_cpu_ns;
      any = true;
    }
  }
  if (ec || !any) return std::nullopt;
  return total;
}

std::optional<std::int64_t> cpu_ns_from_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;  // state .. cmajflt
  long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return std::nullopt;
  const long ticks = sysconf(_SC_CLK_TCK);
  return (utime + stime) * (1'000'000'000LL / ticks);
}

// Every thread of this process, those already ended included (which /proc/self/task omits).
std::int64_t own_cpu_ns() {
  timespec ts{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

std::optional<std::int64_t> process_cpu_ns(pid_t pid) {
  if (auto ns = cpu_ns_from_schedstat(pid)) return ns;
  return cpu_ns_from_stat(pid);
}

std::optional<std::int64_t> main_thread_wait_ns(pid_t pid) {
  const std::string id = std::to_string(pid);
  std::ifstream in("/proc/" + id + "/task/" + id + "/schedstat");
  long long on_cpu_ns = 0, waiting_ns = 0;
  if (!(in >> on_cpu_ns >> waiting_ns)) return std::nullopt;
  return waiting_ns;
}

std::optional<std::int64_t> process_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return std::nullopt;
}

ProcSample sample_process(std::optional<pid_t> pid) {
  ProcSample s;
  s.wall_ns = now_ns();
  s.bench_cpu_ns = own_cpu_ns();
  if (!pid) return s;
  auto cpu = process_cpu_ns(*pid);
  auto rss = process_rss_kib(*pid);
  if (!cpu || !rss) return s;
  s.cpu_ns = *cpu;
  s.rss_kib = *rss;
  s.valid = true;
  return s;
}

std::uint64_t raise_open_files_limit() { return io::raise_open_files_limit().soft; }

}  // namespace qc::bench
