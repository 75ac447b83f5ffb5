// latency: user A sends to user B one ONE_TO_ONE message (v2: a direct message to B's name) at a
// time and waits for its delivery before sending the next; each text carries its send time.
#include "bench/load/proc.h"
#include "bench/load/stats.h"
#include "bench/load/text.h"
#include "bench/scenarios/scenarios.h"

namespace qc::bench {

namespace {

void describe_server(Report& report, const ServerUnderTest& server, std::int64_t spoken) {
  report.param("server", server.spawned
                             ? "spawned"
                             : server.target.host + ":" + std::to_string(server.target.port));
  report.param("protocol", static_cast<double>(spoken != 0 ? spoken : server.target.protocol));
}

void unconfirmed_logouts(Report& report, const ServerUnderTest& server, std::size_t count) {
  if (server.spawned) return;
  report.figure("logouts_unconfirmed", static_cast<double>(count), "sessions");
}

}  // namespace

void describe_target(Report& report, const ServerUnderTest& server, const Fleet& fleet) {
  describe_server(report, server, fleet.login_version());
}

void describe_target(Report& report, const ServerUnderTest& server, const Fleets& fleets) {
  describe_server(report, server, fleets.login_version());
}

void describe_logouts(Report& report, const ServerUnderTest& server, const Fleet& fleet) {
  unconfirmed_logouts(report, server, fleet.logouts_unconfirmed());
}

void describe_logouts(Report& report, const ServerUnderTest& server, const Fleets& fleets) {
  unconfirmed_logouts(report, server, fleets.logouts_unconfirmed());
}

namespace {

struct LatencyRun {
  std::uint64_t warmup = 0;
  std::uint64_t total = 0;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  LatencySamples samples;
  ProcSample before, after;
};

}  // namespace

Result<std::vector<Report>> run_latency(const BenchOptions& opts) {
  const std::int64_t messages = opts.messages;
  const std::int64_t warmup = opts.warmup;
  auto server = prepare_server(opts, 2, {account_batch(0, 2)});
  if (!server) return Unexpected<Error>{server.error()};
  auto fleet_made = Fleet::create(server->target, opts.phase_timeout);
  if (!fleet_made) return Unexpected<Error>{fleet_made.error()};
  Fleet& fleet = **fleet_made;
  BenchUser& a = fleet.user(fleet.add_user(server->users[0].name, server->users[0].password));
  BenchUser& b = fleet.user(fleet.add_user(server->users[1].name, server->users[1].password));

  LatencyRun run;
  run.warmup = static_cast<std::uint64_t>(warmup);
  run.total = run.warmup + static_cast<std::uint64_t>(messages);
  run.samples.reserve(static_cast<std::size_t>(messages));
  auto send_next = [&] {
    if (run.sent == run.warmup) run.before = sample_process(server->pid);
    const std::string text = make_text({run.sent++, now_ns()});
    if (auto r = send_one(a, b, text); !r) fleet.fail("send: " + r.error().message);
  };
  b.on_message = [&](const client::Message& m) {
    const std::int64_t arrived = now_ns();
    auto stamp = parse_text(m.text);
    if (!stamp || stamp->seq != run.received) {
      return fleet.fail("message " + std::to_string(run.received) + " lost or out of order: '" +
                        m.text + "'");
    }
    if (stamp->seq >= run.warmup) run.samples.add(arrived - stamp->sent_ns);
    if (++run.received == run.total) run.after = sample_process(server->pid);
    if (run.sent < run.total) send_next();
  };

  std::vector<Phase> phases;
  phases.push_back(fleet.connect_phase("login", 0, 2, 2));
  phases.push_back(wait_phase(
      "messages", send_next, [&] { return run.received == run.total; }, opts.phase_timeout,
      [&] {
        return std::to_string(run.received) + "/" + std::to_string(run.total) + " messages";
      }));
  if (!server->spawned) phases.push_back(fleet.logout_phase());
  if (auto r = fleet.run(std::move(phases)); !r) return Unexpected<Error>{r.error()};

  Report report("latency");
  describe_target(report, *server, fleet);
  describe_logouts(report, *server, fleet);
  report.param("messages", static_cast<double>(messages));
  report.param("warmup", static_cast<double>(warmup));
  report.figure("p50_us", run.samples.percentile_us(50), "us");
  report.figure("p99_us", run.samples.percentile_us(99), "us");
  report.figure("p999_us", run.samples.percentile_us(99.9), "us");
  report.figure("max_us", run.samples.percentile_us(100), "us");
  const double wall_s = static_cast<double>(run.after.wall_ns - run.before.wall_ns) / 1e9;
  report.figure("messages_per_s", static_cast<double>(messages) / wall_s, "msg/s");
  if (auto cpu = cpu_delta_ns(run.before, run.after)) {
    report.figure("server_cpu_us_per_message",
                  static_cast<double>(*cpu) / 1e3 / static_cast<double>(messages), "us");
    report.figure("server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
  }
  add_bench_cpu(report, run.before, run.after);
  report.check("all delivered in order", run.received == run.total,
               std::to_string(run.received) + "/" + std::to_string(run.total) + " messages");
  return std::vector<Report>{std::move(report)};
}

}  // namespace qc::bench
