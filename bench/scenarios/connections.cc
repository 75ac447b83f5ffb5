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
  auto fleet_made = Fleet::create(server->target, opts.phase_timeout);
  if (!fleet_made) return Unexpected<Error>{fleet_made.error()};
  Fleet& fleet = **fleet_made;
  const bool login = opts.login;
  std::size_t markers = 0;
  for (std::size_t i = 0; i < c; ++i) {
    fleet.add_user(server->users[i].name, server->users[i].password);
    fleet.user(i).login_on_connect = login;
    fleet.user(i).on_message = [&markers](const client::Message&) { ++markers; };
  }
  if (c > 0) fleet.user(c - 1).on_acked = [&markers](const client::Acked&) { ++markers; };

  ProcSample before, after, settled;
  std::vector<Phase> phases;
  phases.push_back(instant_phase("baseline", [&] { before = sample_process(server->pid); }));
  phases.push_back(fleet.connect_phase("sessions", 0, c, static_cast<std::size_t>(in_flight)));
  phases.push_back(instant_phase("set up", [&] { settled = sample_process(server->pid); }));
  if (login) {
    auto send_marker = [&] {
      if (auto r = fleet.user(c - 1).client->send_broadcast("marker"); !r)
        fleet.fail("marker: " + r.error().message);
    };
    phases.push_back(wait_phase(
        "drain", send_marker, [&] { return markers == c; }, opts.phase_timeout,
        [&] { return std::to_string(markers) + "/" + std::to_string(c) + " drained"; }));
  }
  phases.push_back(instant_phase("measure", [&] { after = sample_process(server->pid); }));
  if (!server->spawned) phases.push_back(fleet.logout_phase());
  if (auto r = fleet.run(std::move(phases)); !r) return Unexpected<Error>{r.error()};

  Report report("connections");
  describe_target(report, *server, fleet);
  describe_logouts(report, *server, fleet);
  report.param("count", static_cast<double>(c));
  report.param("in_flight", static_cast<double>(in_flight));
  report.param("login", login ? "yes" : "no (handshake only)");
  const double wall_s = static_cast<double>(settled.wall_ns - before.wall_ns) / 1e9;
  report.figure("setup_s", wall_s, "s");
  report.figure("sessions_per_s", static_cast<double>(c) / wall_s, "/s");
  if (before.valid && after.valid) {
    report.figure("server_rss_before_kib", static_cast<double>(before.rss_kib), "KiB");
    report.figure("server_rss_after_kib", static_cast<double>(after.rss_kib), "KiB");
    report.figure("rss_per_session_kib",
                  static_cast<double>(after.rss_kib - before.rss_kib) / static_cast<double>(c),
                  "KiB");
    const double cpu_us =
        static_cast<double>(after.cpu_ns - before.cpu_ns) / 1e3 / static_cast<double>(c);
    report.figure("server_cpu_us_per_session", cpu_us, "us");
    if (login) {  // each login checks one cost-4 hash on the server's hash threads
      const double hash_us = seconds_per_hash(4) * 1e6;
      report.figure("bcrypt_cost4_us", hash_us, "us");
      report.figure("server_cpu_us_per_session_less_hash", cpu_us - hash_us, "us");
    }
  }
  if (const auto& p = fleet.presence_tally(); p.snapshots > 0) {  // v2
    const auto per_session = [c](std::uint64_t n) {
      return static_cast<double>(n) / static_cast<double>(c);
    };
    report.figure("presence_snapshot_names_per_session", per_session(p.snapshot_names), "");
    report.figure("presence_change_frames_per_session", per_session(p.changes), "");
    report.figure("presence_changed_names_per_session", per_session(p.changed_names), "");
  }
  if (login) {
    report.check("all sessions logged in", fleet.logged_in() == c,
                 std::to_string(fleet.logged_in()) + "/" + std::to_string(c) + " sessions");
  } else {
    report.check("all sessions connected", fleet.connected() == c,
                 std::to_string(fleet.connected()) + "/" + std::to_string(c) + " sessions");
  }
  if (fd_limit < c + 64)
    report.note("open-files limit " + std::to_string(fd_limit) + " may be too low");
  if (fleet.protocol_violations() > 0) {
    report.note(std::to_string(fleet.protocol_violations()) +
                " malformed PDUs from the server, first: " + fleet.first_violation());
  }
  return std::vector<Report>{std::move(report)};
}

}  // namespace qc::bench
