// fanout: N logged-in users; user 0 broadcasts, keeping at most W messages not yet received by
// everyone. The server delivers each broadcast to every active user, the sender included, so
// each message makes N deliveries. Every user must see every message exactly once, in order.
#include "bench_proc.h"
#include "bench_scenarios.h"
#include "bench_stats.h"
#include "bench_text.h"

namespace qc::app::bench {
namespace {

struct FanoutRun {
  std::size_t users = 0;
  std::uint64_t window = 0;
  std::uint64_t warmup = 0;
  std::uint64_t total = 0;
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;            // messages [0, completed) reached every user
  std::vector<std::uint32_t> reached;     // per message: users it reached
  std::vector<std::uint64_t> next_seq;    // per user: the message it must get next
  std::uint64_t deliveries = 0;
  LatencySamples samples;
  ProcSample before, after;
  bool measuring = false;
};

class Fanout {
 public:
  Fanout(Fleet& fleet, FanoutRun& run, std::optional<pid_t> pid) : fleet_(fleet), run_(run), pid_(pid) {}

  void start() {
    maybe_start_measuring();
    pump();
  }

  void on_message(std::size_t user, const client::Message& m) {
    const std::int64_t arrived = now_ns();
    auto stamp = parse_text(m.text);
    const BenchUser& u = fleet_.user(user);
    if (m.sender_id != fleet_.user(0).id || !stamp) {
      return fleet_.fail(u.name + ": unexpected message from " + m.sender_name + ": '" + m.text + "'");
    }
    if (stamp->seq != run_.next_seq[user]) {
      return fleet_.fail(u.name + ": expected message " + std::to_string(run_.next_seq[user]) + ", got " +
                         std::to_string(stamp->seq) + (stamp->seq < run_.next_seq[user] ? " (duplicate)" : " (lost or reordered)"));
    }
    ++run_.next_seq[user];
    ++run_.deliveries;
    if (stamp->seq >= run_.warmup) run_.samples.add(arrived - stamp->sent_ns);
    if (++run_.reached[stamp->seq] == run_.users) on_completed();
  }

 private:
  void on_completed() {
    while (run_.completed < run_.total && run_.reached[run_.completed] == run_.users) ++run_.completed;
    maybe_start_measuring();
    if (run_.completed == run_.total) run_.after = sample_process(pid_);
    pump();
  }

  void maybe_start_measuring() {
    if (run_.measuring || run_.completed < run_.warmup) return;
    run_.measuring = true;
    run_.before = sample_process(pid_);
  }

  void pump() {
    BenchUser& sender = fleet_.user(0);
    while (run_.sent < run_.total && run_.sent - run_.completed < run_.window) {
      const std::string text = make_text({run_.sent++, now_ns()});
      if (auto r = sender.client->send_broadcast(text); !r) return fleet_.fail("send: " + r.error().message);
    }
  }

  Fleet& fleet_;
  FanoutRun& run_;
  std::optional<pid_t> pid_;
};

}  // namespace

Result<Report> run_fanout(const BenchOptions& opts) {
  auto users = int_option(opts, "receivers", 100, 1, 100'000);
  auto messages = int_option(opts, "messages", 200, 1, 100'000'000);
  auto window = int_option(opts, "window", 10, 1, 1'000'000);
  auto warmup = int_option(opts, "warmup", 10, 0, 1'000'000);
  auto in_flight = int_option(opts, "in-flight", 64, 1, 100'000);
  for (const auto* r : {&users, &messages, &window, &warmup, &in_flight}) {
    if (!*r) return Unexpected<Error>{r->error()};
  }
  const auto n = static_cast<std::size_t>(*users);
  auto server = prepare_server(opts, n, {account_batch(0, n)});
  if (!server) return Unexpected<Error>{server.error()};
  auto fleet_made = Fleet::create(server->target, opts.phase_timeout);
  if (!fleet_made) return Unexpected<Error>{fleet_made.error()};
  Fleet& fleet = **fleet_made;

  FanoutRun run;
  run.users = n;
  run.window = static_cast<std::uint64_t>(*window);
  run.warmup = static_cast<std::uint64_t>(*warmup);
  run.total = run.warmup + static_cast<std::uint64_t>(*messages);
  run.reached.assign(run.total, 0);
  run.next_seq.assign(n, 0);
  run.samples.reserve(n * static_cast<std::size_t>(*messages));
  Fanout fanout(fleet, run, server->pid);
  for (std::size_t i = 0; i < n; ++i) {
    fleet.add_user(server->users[i].name, server->users[i].password);
    fleet.user(i).on_message = [&fanout, i](const client::Message& m) { fanout.on_message(i, m); };
  }

  std::vector<Phase> phases;
  phases.push_back(fleet.connect_phase("login", 0, n, static_cast<std::size_t>(*in_flight)));
  phases.push_back(wait_phase("broadcasts", [&] { fanout.start(); }, [&] { return run.completed == run.total; },
                              opts.phase_timeout, [&] {
                                return std::to_string(run.completed) + "/" + std::to_string(run.total) + " messages";
                              }));
  if (!server->spawned) phases.push_back(fleet.logout_phase());
  if (auto r = fleet.run(std::move(phases)); !r) return Unexpected<Error>{r.error()};

  const double measured = static_cast<double>(n) * static_cast<double>(*messages);
  Report report("fanout");
  describe_target(report, *server);
  report.param("receivers", static_cast<double>(n));
  report.param("messages", static_cast<double>(*messages));
  report.param("window", static_cast<double>(*window));
  report.param("warmup", static_cast<double>(*warmup));
  const double wall_s = static_cast<double>(run.after.wall_ns - run.before.wall_ns) / 1e9;
  report.figure("deliveries", measured, "");
  report.figure("deliveries_per_s", measured / wall_s, "/s");
  report.figure("p50_us", run.samples.percentile_us(50), "us");
  report.figure("p99_us", run.samples.percentile_us(99), "us");
  if (auto cpu = cpu_delta_ns(run.before, run.after)) {
    report.figure("server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
    report.figure("deliveries_per_server_cpu_s", *cpu > 0 ? measured / (static_cast<double>(*cpu) / 1e9) : 0.0, "/cpu-s");
  }
  const std::uint64_t expected = static_cast<std::uint64_t>(n) * run.total;
  report.check("every user got every message exactly once, in order", run.deliveries == expected,
               std::to_string(run.deliveries) + "/" + std::to_string(expected) + " deliveries, no loss");
  if (fleet.protocol_violations() > 0) {
    report.note(std::to_string(fleet.protocol_violations()) + " malformed PDUs from the server, first: " +
                fleet.first_violation());
  }
  return report;
}

}  // namespace qc::app::bench
