// connections: C users connect and register (at most `in_flight` set-ups pending at once), then
// sit idle; the server's RSS growth per connection, and its CPU per set-up.
#include <cstdio>

#include "bench/peers/peer_run.h"

namespace qc::peers {

bench::Report run_connections(PeerRun& run) {
  const auto& opts = run.options();
  const auto count = static_cast<std::size_t>(opts.count);
  for (std::size_t i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "pc%05zu", i);
    run.add_client(name);
  }
  const bench::ProcSample before = run.sample();
  const bool ready = run.connect(0, count, static_cast<std::size_t>(opts.in_flight));
  const bench::ProcSample set_up = run.sample();
  // Idle: what the server still has to say after the set-up (IRC's MOTD, late PINGs) is read.
  if (ready) run.settle(std::chrono::milliseconds(500));
  const bench::ProcSample idle = run.sample();

  bench::Report report = run.start_report("connections");
  report.param("count", static_cast<double>(count));
  report.param("in_flight", static_cast<double>(opts.in_flight));
  report.param("login", "yes (registered)");
  if (ready) {
    const double wall_s = static_cast<double>(set_up.wall_ns - before.wall_ns) / 1e9;
    report.figure("setup_s", wall_s, "s");
    report.figure("sessions_per_s", static_cast<double>(count) / wall_s, "/s");
    bench::add_rss_per_session(report, before, idle, count);
    if (auto cpu_ns = bench::cpu_delta_ns(before, set_up)) {
      report.figure("server_cpu_us_per_session",
                    static_cast<double>(*cpu_ns) / 1e3 / static_cast<double>(count), "us");
    }
    bench::add_bench_cpu(report, before, set_up);
  }
  run.finish_report(report);
  return report;
}

}  // namespace qc::peers
