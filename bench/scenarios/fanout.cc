// fanout: N logged-in users; user 0 broadcasts, keeping at most W messages not yet received by
// everyone. The server delivers each broadcast to every active user, the sender included, so
// each message makes N deliveries (in v2 the sender's is its Acked: a sending device gets no copy
// of its own message). Every user must see every message exactly once, in order.
// --window takes a list (e.g. 1,10,100): the windows then run one after the other on the same
// logged-in users, which spares N logins (and their presence broadcasts) per extra window.

#include <algorithm>

#include "bench/scenarios/windowed_fanout.h"

namespace qc::bench {

Result<std::vector<Report>> run_fanout(const BenchOptions& opts) {
  const auto n = static_cast<std::size_t>(opts.receivers);
  raise_open_files_limit();
  auto server = prepare_server(opts, n, {account_batch(0, n)});
  if (!server) return Unexpected<Error>{server.error()};
  auto made = make_fleets(*server, opts);
  if (!made) return Unexpected<Error>{made.error()};
  Fleets& fleets = **made;

  WindowedFanout fanout(fleets, server->pid);
  fanout.watch(server->cluster);
  fanout.enlist(server->users, n);
  std::vector<FanoutRun*> runs;
  for (std::uint64_t w : opts.windows) {
    auto run = std::make_unique<FanoutRun>(fleets, n, w, static_cast<std::uint64_t>(opts.warmup),
                                           static_cast<std::uint64_t>(opts.messages));
    run->nodes = std::max<std::size_t>(1, server->target.nodes.size());
    run->conv = "all";
    run->send = [](BenchUser& sender, std::string_view text) {
      return sender.client->send_broadcast(text);
    };
    runs.push_back(&fanout.add(std::move(run)));
  }
  ProcSample setup_start;
  auto baseline = fleets.barrier("baseline");
  auto logged_in = fleets.barrier("logged in");
  auto finished = fleets.barrier("finished");
  const auto in_flight = spread_in_flight(opts.in_flight, fleets.threads());
  auto phases_of = [&](std::size_t k) {
    std::vector<Phase> phases;
    if (k == 0) {
      phases.push_back(
          instant_phase("baseline", [&] { setup_start = sample_process(server->pid); }));
    }
    phases.push_back(baseline());
    phases.push_back(fleets.fleet(k).connect_phase("login", 0, fleets.fleet(k).size(), in_flight));
    if (k == 0) phases.push_back(fanout.identify_sender());
    phases.push_back(logged_in());
    for (FanoutRun* run : runs) {
      phases.push_back(
          fanout.phase(k, "broadcasts W=" + std::to_string(run->window), *run, opts.phase_timeout));
    }
    phases.push_back(finished());
    if (!server->spawned) phases.push_back(fleets.fleet(k).logout_phase());
    return phases;
  };
  if (auto r = fleets.run(phases_of); !r) return Unexpected<Error>{r.error()};

  std::vector<Report> reports;
  for (const FanoutRun* run : runs)
    reports.push_back(fanout_report("fanout", *server, *run, fleets));
  // Logins until the first warm-up reached everyone: dominated by the presence lists (each
  // login sends the whole user list to every user already in: O(N^2) PDUs, O(N^3) bytes).
  const ProcSample& setup_end = runs.front()->before;
  reports.front().figure("setup_s",
                         static_cast<double>(setup_end.wall_ns - setup_start.wall_ns) / 1e9, "s");
  if (auto cpu = cpu_delta_ns(setup_start, setup_end)) {
    reports.front().figure("setup_server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
  }
  if (setup_start.bench_cpu_ns > 0 && setup_end.bench_cpu_ns > 0) {
    const auto cpu = setup_end.bench_cpu_ns - setup_start.bench_cpu_ns;
    reports.front().figure("setup_bench_cpu_s", static_cast<double>(cpu) / 1e9, "s");
  }
  return reports;
}

}  // namespace qc::bench
