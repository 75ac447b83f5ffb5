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

// One fresh server started with `--history <history>`: logins, joins, then per window the
// room's run and the broadcast's.
Result<ModeResult> run_mode(const BenchOptions& opts, const std::string& history) {
  BenchOptions mode_opts = opts;
  mode_opts.server_args.push_back("--history");
  mode_opts.server_args.push_back(history);
  const auto n = static_cast<std::size_t>(opts.receivers);
  auto server = prepare_server(mode_opts, n, {account_batch(0, n)});
  if (!server) return Unexpected<Error>{server.error()};
  auto fleet_made = Fleet::create(server->target, opts.phase_timeout);
  if (!fleet_made) return Unexpected<Error>{fleet_made.error()};
  Fleet& fleet = **fleet_made;

  auto send_room = [](BenchUser& sender, std::string_view text) {
    return sender.client->send_to_room(kRoom, text);
  };
  auto send_all = [](BenchUser& sender, std::string_view text) {
    return sender.client->send_broadcast(text);
  };
  WindowedFanout room(fleet, server->pid, std::string(kRoom), send_room);
  WindowedFanout broadcast(fleet, server->pid, "all", send_all);
  room.watch(server->cluster);
  broadcast.watch(server->cluster);
  WindowedFanout* active = &room;
  for (std::size_t i = 0; i < n; ++i) {
    fleet.add_user(server->users[i].name, server->users[i].password);
    fleet.user(i).on_message = [&active, i](const client::Message& m) { active->on_message(i, m); };
  }
  fleet.user(0).on_acked = [&active](const client::Acked& a) { active->on_acked(a); };

  const auto in_flight = static_cast<std::size_t>(opts.in_flight);
  ProcSample setup_start, joins_start;
  std::vector<Phase> phases;
  phases.push_back(instant_phase("baseline", [&] { setup_start = sample_process(server->pid); }));
  phases.push_back(fleet.connect_phase("login", 0, n, in_flight));
  phases.push_back(instant_phase("joins", [&] { joins_start = sample_process(server->pid); }));
  phases.push_back(fleet.join_phase("create " + std::string(kRoom), std::string(kRoom), 0, 1, 1));
  phases.push_back(fleet.join_phase("join", std::string(kRoom), 1, n - 1, in_flight));
  std::vector<std::pair<std::unique_ptr<FanoutRun>, std::unique_ptr<FanoutRun>>> runs;
  for (std::uint64_t w : opts.windows) {
    auto make_run = [&] {
      auto run = std::make_unique<FanoutRun>(n, w, static_cast<std::uint64_t>(opts.warmup),
                                             static_cast<std::uint64_t>(opts.messages));
      run->nodes = std::max<std::size_t>(1, server->target.nodes.size());
      return run;
    };
    runs.emplace_back(make_run(), make_run());
    const std::string suffix = " W=" + std::to_string(w) + " history " + history;
    phases.push_back(instant_phase("to the room", [&] { active = &room; }));
    phases.push_back(fanout_phase("room" + suffix, room, *runs.back().first, opts.phase_timeout));
    phases.push_back(instant_phase("to all", [&] { active = &broadcast; }));
    phases.push_back(
        fanout_phase("broadcast" + suffix, broadcast, *runs.back().second, opts.phase_timeout));
  }
  if (!server->spawned) phases.push_back(fleet.logout_phase());
  if (auto r = fleet.run(std::move(phases)); !r) return Unexpected<Error>{r.error()};

  ModeResult result;
  for (auto& [room_run, all_run] : runs) {
    result.reports.push_back(
        labelled(fanout_report("room", *server, *room_run, fleet), history, "room"));
    result.reports.push_back(
        labelled(fanout_report("room", *server, *all_run, fleet), history, "broadcast"));
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
