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
  auto fleet_made = Fleet::create(server->target, opts.phase_timeout);
  if (!fleet_made) return Unexpected<Error>{fleet_made.error()};
  Fleet& fleet = **fleet_made;

  WindowedFanout fanout(fleet, server->pid, "all", [](BenchUser& sender, std::string_view text) {
    return sender.client->send_broadcast(text);
  });
  fanout.watch(server->cluster);
  for (std::size_t i = 0; i < n; ++i) {
    fleet.add_user(server->users[i].name, server->users[i].password);
    fleet.user(i).on_message = [&fanout, i](const client::Message& m) { fanout.on_message(i, m); };
  }
  fleet.user(0).on_acked = [&fanout](const client::Acked& a) { fanout.on_acked(a); };
  std::vector<std::unique_ptr<FanoutRun>> runs;
  ProcSample setup_start;
  std::vector<Phase> phases;
  phases.push_back(instant_phase("baseline", [&] { setup_start = sample_process(server->pid); }));
  phases.push_back(fleet.connect_phase("login", 0, n, static_cast<std::size_t>(opts.in_flight)));
  for (std::uint64_t w : opts.windows) {
    runs.push_back(std::make_unique<FanoutRun>(n, w, static_cast<std::uint64_t>(opts.warmup),
                                               static_cast<std::uint64_t>(opts.messages)));
    runs.back()->nodes = std::max<std::size_t>(1, server->target.nodes.size());
    phases.push_back(fanout_phase("broadcasts W=" + std::to_string(w), fanout, *runs.back(),
                                  opts.phase_timeout));
  }
  if (!server->spawned) phases.push_back(fleet.logout_phase());
  if (auto r = fleet.run(std::move(phases)); !r) return Unexpected<Error>{r.error()};

  std::vector<Report> reports;
  for (const auto& run : runs) reports.push_back(fanout_report("fanout", *server, *run, fleet));
  // Logins until the first warm-up reached everyone: dominated by the presence lists (each
  // login sends the whole user list to every user already in: O(N^2) PDUs, O(N^3) bytes).
  const ProcSample& setup_end = runs.front()->before;
  reports.front().figure("setup_s",
                         static_cast<double>(setup_end.wall_ns - setup_start.wall_ns) / 1e9, "s");
  if (auto cpu = cpu_delta_ns(setup_start, setup_end)) {
    reports.front().figure("setup_server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
  }
  return reports;
}

}  // namespace qc::bench
