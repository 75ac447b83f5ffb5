// `quicchat bench SCENARIO`: runs one scenario, prints its table (and a JSON line with --json),
// and exits 0 only when the run completed and every correctness check passed.
#include <cstdio>
#include <string_view>

#include "bench/scenarios/scenarios.h"
#include "quicchat/bench/bench_options.h"
#include "quicchat/common/commands.h"
#include "util/log.h"

namespace qc::app {
namespace {

struct Scenario {
  std::string_view name;
  Result<std::vector<bench::Report>> (*run)(const bench::BenchOptions&);
  bool spreads = false;  // honours --client-threads
};

constexpr Scenario kScenarios[] = {
    {"latency", bench::run_latency},
    {"fanout", bench::run_fanout, true},
    {"connections", bench::run_connections, true},
    {"logins", bench::run_logins},
    {"room", bench::run_room, true},
    {"store", bench::run_store},
    {"history", bench::run_history},
    {"sendmmsg", bench::run_sendmmsg},
};

int report_error(const Error& e) {
  std::fprintf(stderr, "quicchat bench: %s\n", e.message.c_str());
  return e.code == "usage" ? 2 : 1;
}

int run_scenario(const Scenario& scenario, const bench::BenchOptions& opts) {
  auto reports = scenario.run(opts);
  if (!reports) return report_error(reports.error());
  bool passed = true;
  for (const auto& report : *reports) {
    std::fputs(report.table().c_str(), stdout);
    if (opts.json) std::printf("%s\n", report.json_line().c_str());
    passed = passed && report.passed();
  }
  std::fflush(stdout);
  return passed ? 0 : 1;
}

}  // namespace

int cmd_bench(const Args& args) {
  Flags flags = make_bench_flags();
  if (auto r = flags.parse(args); !r) return report_error(r.error());
  if (flags.help_requested()) {
    std::fputs(flags.help_text().c_str(), stdout);
    return 0;
  }
  if (flags.on("options-markdown")) {
    std::fputs(bench_options_markdown().c_str(), stdout);
    return 0;
  }
  if (flags.positional().size() != 1)
    return report_error({"usage", "name one scenario (see --help)"});
  const std::string& name = flags.positional()[0];
  // The client library's per-connection lines would drown the table.
  log::set_level(log::Level::Warn);
  for (const auto& s : kScenarios) {
    if (s.name != name) continue;
    auto opts = bench_options_from(flags, name);
    if (!opts) return report_error(opts.error());
    if (opts->client_threads > 1 && !s.spreads) {
      return report_error({"usage", "--client-threads: " + name +
                                        " runs its clients on one thread (only fanout, room and "
                                        "connections spread them)"});
    }
    return run_scenario(s, *opts);
  }
  return report_error({"usage", "unknown scenario '" + name + "'"});
}

}  // namespace qc::app
