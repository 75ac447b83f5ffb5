// fanout: N logged-in users; user 0 broadcasts, keeping at most W messages not yet received by
// everyone. The server delivers each broadcast to every active user, the sender included, so
// each message makes N deliveries (in v2 the sender's is its Acked: a sending device gets no copy
// of its own message). Every user must see every message exactly once, in order.
// --window takes a list (e.g. 1,10,100): the windows then run one after the other on the same
// logged-in users, which spares N logins (and their presence broadcasts) per extra window.

#include "bench/load/proc.h"
#include "bench/load/stats.h"
#include "bench/load/text.h"
#include "bench/scenarios/scenarios.h"

namespace qc::bench {
namespace {

struct FanoutRun {
  std::size_t users = 0;
  std::uint64_t window = 0;
  std::uint64_t warmup = 0;
  std::uint64_t total = 0;
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;          // messages [0, completed) reached every user
  std::vector<std::uint32_t> reached;   // per message: users it reached
  std::vector<std::uint64_t> next_seq;  // per user: the message it must get next
  std::uint64_t deliveries = 0;
  LatencySamples samples;
  ProcSample before, after;
  bool measuring = false;

  FanoutRun(std::size_t n, std::uint64_t w, std::uint64_t warm, std::uint64_t measured)
      : users(n),
        window(w),
        warmup(warm),
        total(warm + measured),
        reached(total, 0),
        next_seq(n, 0) {
    samples.reserve(n * measured);
  }
  bool done() const { return completed == total; }
};

// Drives one FanoutRun at a time: the sender's window, and every receiver's checks.
class Fanout {
 public:
  Fanout(Fleet& fleet, std::optional<pid_t> pid) : fleet_(fleet), pid_(pid) {}

  void start(FanoutRun& run) {
    run_ = &run;
    maybe_start_measuring();
    pump();
  }

  void on_message(std::size_t user, const client::Message& m) {
    if (!sent_by(m, fleet_.user(0))) return unexpected(user, m.sender_name, m.text);
    on_copy(user, m.text);
  }

  // v2: the sender's own copy of a broadcast.
  void on_acked(const client::Acked& a) { on_copy(0, a.send.text); }

 private:
  void unexpected(std::size_t user, const std::string& from, const std::string& text) {
    fleet_.fail(fleet_.user(user).name + ": unexpected message from " + from + ": '" + text + "'");
  }

  void on_copy(std::size_t user, const std::string& text) {
    const std::int64_t arrived = now_ns();
    auto stamp = parse_text(text);
    if (run_ == nullptr || !stamp) return unexpected(user, fleet_.user(0).name, text);
    const BenchUser& u = fleet_.user(user);
    FanoutRun& run = *run_;
    if (stamp->seq != run.next_seq[user]) {
      return fleet_.fail(
          u.name + ": expected message " + std::to_string(run.next_seq[user]) + ", got " +
          std::to_string(stamp->seq) +
          (stamp->seq < run.next_seq[user] ? " (duplicate)" : " (lost or reordered)"));
    }
    ++run.next_seq[user];
    ++run.deliveries;
    if (stamp->seq >= run.warmup) run.samples.add(arrived - stamp->sent_ns);
    if (++run.reached[stamp->seq] == run.users) on_completed();
  }

  void on_completed() {
    FanoutRun& run = *run_;
    while (run.completed < run.total && run.reached[run.completed] == run.users) ++run.completed;
    maybe_start_measuring();
    if (run.done()) run.after = sample_process(pid_);
    pump();
  }

  // The measured phase begins once the warm-up messages reached everyone and before any
  // measured message is sent, so the server is idle at both ends of it; by then every stream
  // has also drained whatever the logins queued before the warm-up (presence lists).
  void maybe_start_measuring() {
    if (run_->measuring || run_->completed < run_->warmup) return;
    run_->measuring = true;
    run_->before = sample_process(pid_);
  }

  void pump() {
    FanoutRun& run = *run_;
    BenchUser& sender = fleet_.user(0);
    const std::uint64_t limit = run.measuring ? run.total : run.warmup;
    while (run.sent < limit && run.sent - run.completed < run.window) {
      const std::string text = make_text({run.sent++, now_ns()});
      if (auto r = sender.client->send_broadcast(text); !r)
        return fleet_.fail("send: " + r.error().message);
    }
  }

  Fleet& fleet_;
  std::optional<pid_t> pid_;
  FanoutRun* run_ = nullptr;
};

Report fanout_report(const ServerUnderTest& server, FanoutRun& run, std::uint64_t messages,
                     const Fleet& fleet) {
  const double measured = static_cast<double>(run.users) * static_cast<double>(messages);
  Report report("fanout");
  describe_target(report, server, fleet);
  describe_logouts(report, server, fleet);
  report.param("receivers", static_cast<double>(run.users));
  report.param("messages", static_cast<double>(messages));
  report.param("window", static_cast<double>(run.window));
  report.param("warmup", static_cast<double>(run.warmup));
  const double wall_s = static_cast<double>(run.after.wall_ns - run.before.wall_ns) / 1e9;
  report.figure("deliveries", measured, "");
  report.figure("deliveries_per_s", measured / wall_s, "/s");
  report.figure("p50_us", run.samples.percentile_us(50), "us");
  report.figure("p99_us", run.samples.percentile_us(99), "us");
  if (auto cpu = cpu_delta_ns(run.before, run.after)) {
    report.figure("server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
    report.figure("deliveries_per_server_cpu_s",
                  *cpu > 0 ? measured / (static_cast<double>(*cpu) / 1e9) : 0.0, "/cpu-s");
  }
  const std::uint64_t expected = static_cast<std::uint64_t>(run.users) * run.total;
  report.check(
      "every user got every message exactly once, in order", run.deliveries == expected,
      std::to_string(run.deliveries) + "/" + std::to_string(expected) + " deliveries, no loss");
  if (fleet.protocol_violations() > 0) {
    report.note(std::to_string(fleet.protocol_violations()) +
                " malformed PDUs from the server, first: " + fleet.first_violation());
  }
  return report;
}

}  // namespace

Result<std::vector<Report>> run_fanout(const BenchOptions& opts) {
  const std::int64_t messages = opts.messages;
  const std::int64_t warmup = opts.warmup;
  const std::int64_t in_flight = opts.in_flight;
  const auto n = static_cast<std::size_t>(opts.receivers);
  raise_open_files_limit();
  auto server = prepare_server(opts, n, {account_batch(0, n)});
  if (!server) return Unexpected<Error>{server.error()};
  auto fleet_made = Fleet::create(server->target, opts.phase_timeout);
  if (!fleet_made) return Unexpected<Error>{fleet_made.error()};
  Fleet& fleet = **fleet_made;

  Fanout fanout(fleet, server->pid);
  for (std::size_t i = 0; i < n; ++i) {
    fleet.add_user(server->users[i].name, server->users[i].password);
    fleet.user(i).on_message = [&fanout, i](const client::Message& m) { fanout.on_message(i, m); };
  }
  fleet.user(0).on_acked = [&fanout](const client::Acked& a) { fanout.on_acked(a); };
  std::vector<std::unique_ptr<FanoutRun>> runs;
  ProcSample setup_start;
  std::vector<Phase> phases;
  phases.push_back(instant_phase("baseline", [&] { setup_start = sample_process(server->pid); }));
  phases.push_back(fleet.connect_phase("login", 0, n, static_cast<std::size_t>(in_flight)));
  for (std::uint64_t w : opts.windows) {
    runs.push_back(std::make_unique<FanoutRun>(n, w, static_cast<std::uint64_t>(warmup),
                                               static_cast<std::uint64_t>(messages)));
    FanoutRun* run = runs.back().get();
    phases.push_back(wait_phase(
        "broadcasts W=" + std::to_string(w), [&fanout, run] { fanout.start(*run); },
        [run] { return run->done(); }, opts.phase_timeout,
        [run] {
          return std::to_string(run->completed) + "/" + std::to_string(run->total) +
                 " messages reached everyone, " + std::to_string(run->deliveries) + " deliveries";
        }));
  }
  if (!server->spawned) phases.push_back(fleet.logout_phase());
  if (auto r = fleet.run(std::move(phases)); !r) return Unexpected<Error>{r.error()};

  std::vector<Report> reports;
  for (const auto& run : runs) {
    reports.push_back(fanout_report(*server, *run, static_cast<std::uint64_t>(messages), fleet));
  }
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
