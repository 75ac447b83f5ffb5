// logins: C sessions connect first (handshakes only), then all send LOGIN at once while user A
// sends user B a message every 1/rate s. Logins/s is compared with the machine's bcrypt bound:
// cores / the time of one hash at that cost, measured here before the run.
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "auth/password.h"
#include "bench/load/proc.h"
#include "bench/load/stats.h"
#include "bench/load/text.h"
#include "bench/scenarios/scenarios.h"

namespace qc::bench {
// The fastest of three hashes: the least disturbed by other load.
double seconds_per_hash(int cost) {
  double best = 1e9;
  for (int i = 0; i < 3; ++i) {
    const std::int64_t start = now_ns();
    (void)auth::hash_password("bench-password", cost);
    best = std::min(best, static_cast<double>(now_ns() - start) / 1e9);
  }
  return best;
}

namespace {

// A steady stream of ONE_TO_ONE messages from A to B; the latency of those sent between
// record(true) and record(false) is kept.
class Background {
 public:
  Background(Fleet& fleet, BenchUser& a, BenchUser& b, std::chrono::nanoseconds period)
      : fleet_(fleet), a_(a), b_(b), period_(period) {
    b_.on_message = [this](const client::Message& m) { on_message(m); };
  }

  void start() { tick(); }
  void stop() { running_ = false; }
  bool drained() const { return received_ == sent_; }
  void record(bool on) { (on ? record_from_ : record_to_) = sent_; }
  LatencySamples& samples() { return samples_; }
  std::uint64_t received() const { return received_; }

 private:
  void tick() {
    if (!running_) return;
    const std::int64_t stamp_ns = now_ns();
    const std::string text = make_text({sent_++, stamp_ns});
    if (auto r = send_one(a_, b_, text); !r) return fleet_.fail("send: " + r.error().message);
    fleet_.loop().add_timer(io::Clock::now() + period_, [this] { tick(); });
  }

  void on_message(const client::Message& m) {
    const std::int64_t arrived = now_ns();
    auto stamp = parse_text(m.text);
    if (!stamp || stamp->seq != received_) {
      return fleet_.fail("background message " + std::to_string(received_) +
                         " lost or out of order");
    }
    ++received_;
    if (stamp->seq >= record_from_ && stamp->seq < record_to_)
      samples_.add(arrived - stamp->sent_ns);
  }

  Fleet& fleet_;
  BenchUser& a_;
  BenchUser& b_;
  std::chrono::nanoseconds period_;
  bool running_ = true;
  std::uint64_t sent_ = 0, received_ = 0;
  std::uint64_t record_from_ = 0, record_to_ = UINT64_MAX;
  LatencySamples samples_;
};

}  // namespace

Result<std::vector<Report>> run_logins(const BenchOptions& opts) {
  const std::int64_t count = opts.count;
  const std::int64_t cost = opts.cost;
  const std::int64_t rate = opts.rate;
  const std::int64_t in_flight = opts.in_flight;
  const auto c = static_cast<std::size_t>(count);
  const int k = static_cast<int>(cost);
  raise_open_files_limit();
  const double hash_s = seconds_per_hash(k);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());

  auto server = prepare_server(opts, c + 2, {account_batch(0, 2), account_batch(2, c, k)});
  if (!server) return Unexpected<Error>{server.error()};
  auto fleet_made = Fleet::create(server->target, opts.phase_timeout);
  if (!fleet_made) return Unexpected<Error>{fleet_made.error()};
  Fleet& fleet = **fleet_made;
  for (std::size_t i = 0; i < c + 2; ++i) {
    fleet.add_user(server->users[i].name, server->users[i].password);
    fleet.user(i).login_on_connect = i < 2;
  }
  Background background(fleet, fleet.user(0), fleet.user(1),
                        std::chrono::nanoseconds(1'000'000'000 / rate));

  ProcSample before, after;
  std::optional<std::int64_t> loop_wait_before, loop_wait_after;
  // The bench shares the machine with the server: its own CPU and waiting tell whether the
  // figures measure the server or a starved client.
  const pid_t self = getpid();
  std::optional<std::int64_t> own_cpu_before, own_cpu_after, own_wait_before, own_wait_after;
  std::int64_t storm_start = 0, storm_end = 0;
  std::vector<Phase> phases;
  phases.push_back(fleet.connect_phase("messaging users", 0, 2, 2));
  phases.push_back(
      fleet.connect_phase("storm handshakes", 2, c, static_cast<std::size_t>(in_flight)));
  Phase storm = fleet.login_phase("login storm", 2, c);
  storm.start = [&, inner = storm.start] {
    background.record(true);
    background.start();
    before = sample_process(server->pid);
    if (server->pid) loop_wait_before = main_thread_wait_ns(*server->pid);
    own_cpu_before = process_cpu_ns(self);
    own_wait_before = main_thread_wait_ns(self);
    storm_start = now_ns();
    inner();
  };
  phases.push_back(storm);
  auto end_storm = [&] {
    storm_end = now_ns();
    after = sample_process(server->pid);
    if (server->pid) loop_wait_after = main_thread_wait_ns(*server->pid);
    own_cpu_after = process_cpu_ns(self);
    own_wait_after = main_thread_wait_ns(self);
    background.record(false);
    background.stop();
  };
  phases.push_back(wait_phase(
      "drain", end_storm, [&] { return background.drained(); }, opts.phase_timeout));
  if (!server->spawned) phases.push_back(fleet.logout_phase());
  if (auto r = fleet.run(std::move(phases)); !r) return Unexpected<Error>{r.error()};

  const double storm_s = static_cast<double>(storm_end - storm_start) / 1e9;
  const double logins_per_s = static_cast<double>(c) / storm_s;
  const double bound = static_cast<double>(cores) / hash_s;
  Report report("logins");
  describe_target(report, *server, fleet);
  describe_logouts(report, *server, fleet);
  report.param("count", static_cast<double>(c));
  report.param("cost", k);
  report.param("rate", static_cast<double>(rate));
  report.figure("hash_ms", hash_s * 1e3, "ms");
  report.figure("bcrypt_bound_per_s", bound, "/s");
  report.figure("logins_per_s", logins_per_s, "/s");
  report.figure("fraction_of_bound", logins_per_s / bound, "");
  report.figure("storm_s", storm_s, "s");
  report.figure("message_p50_us", background.samples().percentile_us(50), "us");
  report.figure("message_p99_us", background.samples().percentile_us(99), "us");
  report.figure("messages_during_storm", static_cast<double>(background.samples().size()), "");
  if (auto cpu = cpu_delta_ns(before, after))
    report.figure("server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
  if (loop_wait_before && loop_wait_after) {  // the event loop, runnable but without a CPU
    report.figure("server_loop_runqueue_wait_s",
                  static_cast<double>(*loop_wait_after - *loop_wait_before) / 1e9, "s");
  }
  if (own_cpu_before && own_cpu_after)
    report.figure("bench_cpu_s", static_cast<double>(*own_cpu_after - *own_cpu_before) / 1e9, "s");
  if (own_wait_before && own_wait_after) {  // the bench's own loop, runnable but without a CPU
    report.figure("bench_loop_runqueue_wait_s",
                  static_cast<double>(*own_wait_after - *own_wait_before) / 1e9, "s");
  }
  report.check("all logins succeeded", fleet.logged_in() == c + 2,
               std::to_string(fleet.logged_in() - 2) + "/" + std::to_string(c) + " logins");
  report.check("background messages all delivered in order", background.drained(),
               std::to_string(background.received()) + " messages");
  return std::vector<Report>{std::move(report)};
}

}  // namespace qc::bench
