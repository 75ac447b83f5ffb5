// room: N users join one room; user 0 sends to it keeping at most W messages not yet received by
// every member (each message: N-1 copies and the sender's Acked, N deliveries as in fanout), then
// broadcasts as fanout does on the same sessions. Each --history value (on,off) runs against a
// fresh server started with it, so one invocation gives the room with and without the message
// store next to the broadcast. Every member must get every message exactly once, in order.
#include <algorithm>
#include <map>

#include "bench/scenarios/windowed_fanout.h"

namespace qc::bench {
namespace {

constexpr std::string_view kRoom = "#bench";

struct ModeResult {
  std::vector<Report> reports;
  std::map<std::uint64_t, double> room_rate, broadcast_rate;  // by window, per server CPU-s
};

std::optional<double> per_cpu_s(const FanoutRun& run) {
  auto cpu = servers_cpu_ns(run);
  if (!cpu || *cpu <= 0) return std::nullopt;
  return static_cast<double>(run.users) * static_cast<double>(run.measured()) /
         (static_cast<double>(*cpu) / 1e9);
}

Report labelled(Report report, const std::string& history, std::string_view send_to) {
  report.param("history", history);
  report.param("send_to", send_to);
  return report;
}

FanoutRun::SendFn sender_to(std::string_view to) {
  if (to == "all") {
    return [](BenchUser& sender, std::string_view text) {
      return sender.client->send_broadcast(text);
    };
  }
  return [](BenchUser& sender, std::string_view text) {
    return sender.client->send_to_room(kRoom, text);
  };
}

// One fresh server started with `--history <history>`: logins, joins, then per window the
// room's run and the broadcast's.
Result<ModeResult> run_mode(const BenchOptions& opts, const std::string& history) {
  BenchOptions mode_opts = opts;
  mode_opts.server_args.push_back("--history");
  mode_opts.server_args.push_back(history);
  const auto n = static_cast<std::size_t>(opts.receivers);
  auto server = prepare_server(mode_opts, n, {account_batch(0, n)});
  if (!server) return Unexpected<Error>{server.error()};
  auto made = make_fleets(*server, opts);
  if (!made) return Unexpected<Error>{made.error()};
  Fleets& fleets = **made;

  WindowedFanout fanout(fleets, server->pid);
  fanout.watch(server->cluster);
  fanout.enlist(server->users, n);
  // Per window the room's run, then the broadcast's: every fleet receives them in this order.
  std::vector<std::pair<FanoutRun*, FanoutRun*>> runs;
  auto make_run = [&](std::uint64_t w, std::string conv) {
    auto run = std::make_unique<FanoutRun>(fleets, n, w, static_cast<std::uint64_t>(opts.warmup),
                                           static_cast<std::uint64_t>(opts.messages));
    run->nodes = std::max<std::size_t>(1, server->target.nodes.size());
    run->send = sender_to(conv);
    run->conv = std::move(conv);
    return &fanout.add(std::move(run));
  };
  for (std::uint64_t w : opts.windows) {
    FanoutRun* room_run = make_run(w, std::string(kRoom));
    runs.emplace_back(room_run, make_run(w, "all"));
  }

  const auto in_flight = spread_in_flight(opts.in_flight, fleets.threads());
  ProcSample setup_start, joins_start;
  auto baseline = fleets.barrier("baseline");
  auto logged_in = fleets.barrier("logged in");
  auto created = fleets.barrier("room created");
  auto joined = fleets.barrier("joined");
  auto finished = fleets.barrier("finished");
  auto phases_of = [&](std::size_t k) {
    Fleet& fleet = fleets.fleet(k);
    std::vector<Phase> phases;
    if (k == 0) {
      phases.push_back(
          instant_phase("baseline", [&] { setup_start = sample_process(server->pid); }));
    }
    phases.push_back(baseline());
    phases.push_back(fleet.connect_phase("login", 0, fleet.size(), in_flight));
    if (k == 0) phases.push_back(fanout.identify_sender());
    phases.push_back(logged_in());
    if (k == 0) {
      phases.push_back(instant_phase("joins", [&] { joins_start = sample_process(server->pid); }));
      phases.push_back(
          fleet.join_phase("create " + std::string(kRoom), std::string(kRoom), 0, 1, 1));
    }
    phases.push_back(created());
    const std::size_t first = k == 0 ? 1 : 0;  // user 0 created the room
    if (fleet.size() > first) {
      phases.push_back(
          fleet.join_phase("join", std::string(kRoom), first, fleet.size() - first, in_flight));
    }
    phases.push_back(joined());
    for (auto& [room_run, all_run] : runs) {
      const std::string suffix = " W=" + std::to_string(room_run->window) + " history " + history;
      phases.push_back(fanout.phase(k, "room" + suffix, *room_run, opts.phase_timeout));
      phases.push_back(fanout.phase(k, "broadcast" + suffix, *all_run, opts.phase_timeout));
    }
    phases.push_back(finished());
    if (!server->spawned) phases.push_back(fleet.logout_phase());
    return phases;
  };
  if (auto r = fleets.run(phases_of); !r) return Unexpected<Error>{r.error()};

  ModeResult result;
  for (auto& [room_run, all_run] : runs) {
    result.reports.push_back(
        labelled(fanout_report("room", *server, *room_run, fleets), history, "room"));
    result.reports.push_back(
        labelled(fanout_report("room", *server, *all_run, fleets), history, "broadcast"));
    if (auto rate = per_cpu_s(*room_run)) result.room_rate[room_run->window] = *rate;
    if (auto rate = per_cpu_s(*all_run)) result.broadcast_rate[all_run->window] = *rate;
  }
  // Set-up: logins, then N joins (each stored, each announced to the members already in).
  Report& first = result.reports.front();
  const ProcSample& setup_end = runs.front().first->before;
  first.figure("setup_s", static_cast<double>(setup_end.wall_ns - setup_start.wall_ns) / 1e9, "s");
  first.figure("joins_s", static_cast<double>(setup_end.wall_ns - joins_start.wall_ns) / 1e9, "s");
  if (auto cpu = cpu_delta_ns(joins_start, setup_end)) {
    first.figure("joins_server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
  }
  return result;
}

// Per window: the four rates side by side, and what storing costs the room's fan-out.
Report compare(std::uint64_t window, const std::map<std::string, ModeResult>& modes) {
  Report report("room_compare");
  report.param("window", static_cast<double>(window));
  for (const auto& [history, result] : modes) {
    if (auto it = result.room_rate.find(window); it != result.room_rate.end())
      report.figure("room_history_" + history, it->second, "/cpu-s");
    if (auto it = result.broadcast_rate.find(window); it != result.broadcast_rate.end())
      report.figure("broadcast_history_" + history, it->second, "/cpu-s");
  }
  auto on = modes.find("on");
  auto off = modes.find("off");
  if (on != modes.end() && off != modes.end() && on->second.room_rate.contains(window) &&
      off->second.room_rate.contains(window) && off->second.room_rate.at(window) > 0) {
    const double cost = 1.0 - on->second.room_rate.at(window) / off->second.room_rate.at(window);
    report.figure("storing_cost_pct", 100.0 * cost, "%");
  }
  return report;
}

}  // namespace

Result<std::vector<Report>> run_room(const BenchOptions& opts) {
  if (opts.target.protocol != 2) return fail("usage", "room needs protocol v2 (rooms)");
  raise_open_files_limit();
  if (opts.receivers < 2) return fail("usage", "room needs --receivers 2 or more");
  std::map<std::string, ModeResult> modes;
  std::vector<Report> reports;
  // A running server (--server) has its own setting: one run, labelled so.
  const std::vector<std::string> modes_asked =
      opts.spawn ? opts.history : std::vector<std::string>{"as-running"};
  for (const std::string& history : modes_asked) {
    auto result = run_mode(opts, history);
    if (!result) return Unexpected<Error>{result.error()};
    for (Report& r : result->reports) reports.push_back(std::move(r));
    result->reports.clear();
    modes[history] = std::move(*result);
  }
  for (std::uint64_t w : opts.windows) reports.push_back(compare(w, modes));
  return reports;
}

}  // namespace qc::bench
