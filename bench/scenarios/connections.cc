// connections: C sessions handshake and log in (at most --in-flight pending at once), then stay
// idle. Server RSS and CPU are sampled before the first set-up and once the last session has
// received a marker broadcast sent after every login: by then no stream still carries the
// presence lists the logins queued (v2: the snapshots and change frames; the sender's own copy of
// the marker is its Acked). --no-login stops at the QUIC handshake (transport only).
#include "bench/load/proc.h"
#include "bench/scenarios/scenarios.h"

namespace qc::bench {

Result<std::vector<Report>> run_connections(const BenchOptions& opts) {
  const std::int64_t count = opts.count;
  const std::int64_t in_flight = opts.in_flight;
  const auto c = static_cast<std::size_t>(count);
  const std::uint64_t fd_limit = raise_open_files_limit();
  auto server = prepare_server(opts, c, {account_batch(0, c)});
  if (!server) return Unexpected<Error>{server.error()};
  auto made = make_fleets(*server, opts);
  if (!made) return Unexpected<Error>{made.error()};
  Fleets& fleets = **made;
  const bool login = opts.login;
  std::vector<std::size_t> markers(fleets.threads(), 0);  // each fleet counts its own
  for (std::size_t i = 0; i < c; ++i) {
    fleets.add_user(server->users[i].name, server->users[i].password);
    fleets.user(i).login_on_connect = login;
    std::size_t& mine = markers[fleets.fleet_of(i)];
    fleets.user(i).on_message = [&mine](const client::Message&) { ++mine; };
  }
  if (c > 0) {
    std::size_t& mine = markers[fleets.fleet_of(c - 1)];
    fleets.user(c - 1).on_acked = [&mine](const client::Acked&) { ++mine; };
  }

  ProcSample before, after, settled;
  auto baseline = fleets.barrier("baseline");
  auto set_up = fleets.barrier("set up");
  auto sampled = fleets.barrier("sampled");
  auto drained = fleets.barrier("drained");
  auto measured = fleets.barrier("measured");
  const std::size_t marker_fleet = c > 0 ? fleets.fleet_of(c - 1) : 0;
  auto phases_of = [&](std::size_t k) {
    Fleet& fleet = fleets.fleet(k);
    std::vector<Phase> phases;
    if (k == 0)
      phases.push_back(instant_phase("baseline", [&] { before = sample_process(server->pid); }));
    phases.push_back(baseline());
    phases.push_back(fleet.connect_phase("sessions", 0, fleet.size(),
                                         spread_in_flight(in_flight, fleets.threads())));
    phases.push_back(set_up());
    if (k == 0)
      phases.push_back(instant_phase("set up", [&] { settled = sample_process(server->pid); }));
    phases.push_back(sampled());
    if (login) {
      auto send_marker = [&, k] {
        if (k != marker_fleet) return;
        if (auto r = fleets.user(c - 1).client->send_broadcast("marker"); !r)
          fleets.fleet(k).fail("marker: " + r.error().message);
      };
      std::size_t& mine = markers[k];
      const std::size_t users = fleet.size();
      phases.push_back(wait_phase(
          "drain", send_marker, [&mine, users] { return mine == users; }, opts.phase_timeout,
          [&mine, users] {
            return std::to_string(mine) + "/" + std::to_string(users) + " drained";
          }));
    }
    phases.push_back(drained());
    if (k == 0)
      phases.push_back(instant_phase("measure", [&] { after = sample_process(server->pid); }));
    phases.push_back(measured());
    if (!server->spawned) phases.push_back(fleet.logout_phase());
    return phases;
  };
  if (auto r = fleets.run(phases_of); !r) return Unexpected<Error>{r.error()};

  Report report("connections");
  describe_target(report, *server, fleets);
  describe_logouts(report, *server, fleets);
  report.param("client_threads", static_cast<double>(fleets.threads()));
  report.param("count", static_cast<double>(c));
  report.param("in_flight", static_cast<double>(in_flight));
  report.param("login", login ? "yes" : "no (handshake only)");
  const double wall_s = static_cast<double>(settled.wall_ns - before.wall_ns) / 1e9;
  report.figure("setup_s", wall_s, "s");
  report.figure("sessions_per_s", static_cast<double>(c) / wall_s, "/s");
  add_rss_per_session(report, before, after, c);
  if (before.valid && after.valid) {
    const double cpu_us =
        static_cast<double>(after.cpu_ns - before.cpu_ns) / 1e3 / static_cast<double>(c);
    report.figure("server_cpu_us_per_session", cpu_us, "us");
    if (login) {  // each login checks one cost-4 hash on the server's hash threads
      const double hash_us = seconds_per_hash(4) * 1e6;
      report.figure("bcrypt_cost4_us", hash_us, "us");
      report.figure("server_cpu_us_per_session_less_hash", cpu_us - hash_us, "us");
    }
    report.figure("server_cpu_s", static_cast<double>(after.cpu_ns - before.cpu_ns) / 1e9, "s");
  }
  add_bench_cpu(report, before, after);
  if (const auto& p = fleets.presence_tally(); p.snapshots > 0) {  // v2
    const auto per_session = [c](std::uint64_t n) {
      return static_cast<double>(n) / static_cast<double>(c);
    };
    report.figure("presence_snapshot_names_per_session", per_session(p.snapshot_names), "");
    report.figure("presence_change_frames_per_session", per_session(p.changes), "");
    report.figure("presence_changed_names_per_session", per_session(p.changed_names), "");
  }
  if (login) {
    report.check("all sessions logged in", fleets.logged_in() == c,
                 std::to_string(fleets.logged_in()) + "/" + std::to_string(c) + " sessions");
  } else {
    report.check("all sessions connected", fleets.connected() == c,
                 std::to_string(fleets.connected()) + "/" + std::to_string(c) + " sessions");
  }
  if (fd_limit < c + 64)
    report.note("open-files limit " + std::to_string(fd_limit) + " may be too low");
  if (fleets.protocol_violations() > 0) {
    report.note(std::to_string(fleets.protocol_violations()) +
                " malformed PDUs from the server, first: " + fleets.first_violation());
  }
  return std::vector<Report>{std::move(report)};
}

}  // namespace qc::bench
