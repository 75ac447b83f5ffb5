#include "bench/scenarios/windowed_fanout.h"

#include "bench/load/text.h"

namespace qc::bench {

FanoutRun::FanoutRun(std::size_t n, std::uint64_t w, std::uint64_t warm, std::uint64_t measured)
    : users(n), window(w), warmup(warm), total(warm + measured), reached(total, 0), next_seq(n, 0) {
  samples.reserve(n * measured);
}

void WindowedFanout::start(FanoutRun& run) {
  run_ = &run;
  maybe_start_measuring();
  pump();
}

void WindowedFanout::on_message(std::size_t user, const client::Message& m) {
  if (!sent_by(m, fleet_.user(0))) return unexpected(user, m.sender_name, m.text);
  if (!conv_.empty() && !m.conv.empty() && m.conv != conv_) {
    return fleet_.fail(fleet_.user(user).name + ": a message in " + m.conv + ", expected " + conv_);
  }
  on_copy(user, m.text);
}

void WindowedFanout::unexpected(std::size_t user, const std::string& from,
                                const std::string& text) {
  fleet_.fail(fleet_.user(user).name + ": unexpected message from " + from + ": '" + text + "'");
}

void WindowedFanout::on_copy(std::size_t user, const std::string& text) {
  const std::int64_t arrived = now_ns();
  auto stamp = parse_text(text);
  if (run_ == nullptr || !stamp) return unexpected(user, fleet_.user(0).name, text);
  const BenchUser& u = fleet_.user(user);
  FanoutRun& run = *run_;
  if (stamp->seq != run.next_seq[user]) {
    return fleet_.fail(u.name + ": expected message " + std::to_string(run.next_seq[user]) +
                       ", got " + std::to_string(stamp->seq) +
                       (stamp->seq < run.next_seq[user] ? " (duplicate)" : " (lost or reordered)"));
  }
  ++run.next_seq[user];
  ++run.deliveries;
  if (stamp->seq >= run.warmup) {
    run.samples.add(arrived - stamp->sent_ns);
    if (run.nodes > 1) {
      auto& split = user % run.nodes == 0 ? run.same_node : run.cross_node;
      split.add(arrived - stamp->sent_ns);
    }
  }
  if (++run.reached[stamp->seq] == run.users) on_completed();
}

void WindowedFanout::on_completed() {
  FanoutRun& run = *run_;
  while (run.completed < run.total && run.reached[run.completed] == run.users) ++run.completed;
  maybe_start_measuring();
  if (run.done()) {
    run.after = sample_process(pid_);
    if (!cluster_.empty()) run.cluster_after = sample_cluster(cluster_);
  }
  pump();
}

// The measured phase begins once the warm-up messages reached everyone and before any measured
// message is sent, so the server is idle at both ends of it; by then every stream has also
// drained whatever the logins queued before the warm-up (presence lists).
void WindowedFanout::maybe_start_measuring() {
  if (run_->measuring || run_->completed < run_->warmup) return;
  run_->measuring = true;
  if (!cluster_.empty()) run_->cluster_before = sample_cluster(cluster_);
  run_->before = sample_process(pid_);
}

void WindowedFanout::pump() {
  FanoutRun& run = *run_;
  const std::uint64_t limit = run.measuring ? run.total : run.warmup;
  while (run.sent < limit && run.sent - run.completed < run.window) {
    const std::string text = make_text({run.sent++, now_ns()});
    if (auto r = send_(fleet_.user(0), text); !r) return fleet_.fail("send: " + r.error().message);
  }
}

std::optional<std::int64_t> servers_cpu_ns(const FanoutRun& run) {
  const auto& before = run.cluster_before.nodes_cpu_ns;
  const auto& after = run.cluster_after.nodes_cpu_ns;
  if (before && after) return *after - *before;
  return cpu_delta_ns(run.before, run.after);
}

namespace {

std::optional<double> delta_s(const std::optional<std::int64_t>& before,
                              const std::optional<std::int64_t>& after) {
  if (!before || !after) return std::nullopt;
  return static_cast<double>(*after - *before) / 1e9;
}

// A cluster's figures: latency by node, each engine's CPU, Redis's work per message, and the
// deliveries per CPU-second of everything (nodes and engines).
void cluster_figures(Report& report, const ClusterWatch& watch, FanoutRun& run) {
  const double messages = static_cast<double>(run.measured());
  const double deliveries = static_cast<double>(run.users) * messages;
  if (run.nodes > 1) {
    report.param("nodes", static_cast<double>(run.nodes));
    report.figure("same_node_p50_us", run.same_node.percentile_us(50), "us");
    report.figure("same_node_p99_us", run.same_node.percentile_us(99), "us");
    report.figure("cross_node_p50_us", run.cross_node.percentile_us(50), "us");
    report.figure("cross_node_p99_us", run.cross_node.percentile_us(99), "us");
  }
  const ClusterSample& a = run.cluster_before;
  const ClusterSample& b = run.cluster_after;
  auto total = delta_s(a.nodes_cpu_ns, b.nodes_cpu_ns);
  if (!total) total = static_cast<double>(servers_cpu_ns(run).value_or(0)) / 1e9;
  for (std::size_t i = 0; i < watch.engines.size(); ++i) {
    if (i >= a.engines_cpu_ns.size() || i >= b.engines_cpu_ns.size()) break;
    auto cpu = delta_s(a.engines_cpu_ns[i], b.engines_cpu_ns[i]);
    if (!cpu) continue;
    const std::string& name = watch.engines[i].first;
    report.figure(name + "_cpu_s", *cpu, "s");
    report.figure(name + "_cpu_us_per_message", *cpu * 1e6 / messages, "us");
    *total += *cpu;
  }
  if (!watch.engines.empty() && *total > 0) {
    report.figure("all_cpu_s", *total, "s");
    report.figure("deliveries_per_all_cpu_s", deliveries / *total, "/cpu-s");
  }
  if (a.redis && b.redis) {
    // Less the first sample's own INFO: one command, its request and its reply.
    const double commands = static_cast<double>(b.redis->commands - a.redis->commands - 1);
    const double in = static_cast<double>(b.redis->net_in - a.redis->net_in) -
                      static_cast<double>(kRedisInfoRequest.size());
    const double out =
        static_cast<double>(b.redis->net_out - a.redis->net_out - a.redis->own_reply);
    report.figure("redis_commands_per_message", commands / messages, "");
    report.figure("redis_bytes_in_per_message", in / messages, "B");
    report.figure("redis_bytes_out_per_message", out / messages, "B");
  }
}

}  // namespace

Phase fanout_phase(std::string name, WindowedFanout& driver, FanoutRun& run,
                   std::chrono::milliseconds timeout) {
  return wait_phase(
      std::move(name), [&driver, &run] { driver.start(run); }, [&run] { return run.done(); },
      timeout,
      [&run] {
        return std::to_string(run.completed) + "/" + std::to_string(run.total) +
               " messages reached everyone, " + std::to_string(run.deliveries) + " deliveries";
      });
}

Report fanout_report(std::string scenario, const ServerUnderTest& server, FanoutRun& run,
                     const Fleet& fleet) {
  const double measured = static_cast<double>(run.users) * static_cast<double>(run.measured());
  Report report(std::move(scenario));
  describe_target(report, server, fleet);
  describe_logouts(report, server, fleet);
  report.param("receivers", static_cast<double>(run.users));
  report.param("messages", static_cast<double>(run.measured()));
  report.param("window", static_cast<double>(run.window));
  report.param("warmup", static_cast<double>(run.warmup));
  const double wall_s = static_cast<double>(run.after.wall_ns - run.before.wall_ns) / 1e9;
  report.figure("deliveries", measured, "");
  report.figure("deliveries_per_s", measured / wall_s, "/s");
  report.figure("p50_us", run.samples.percentile_us(50), "us");
  report.figure("p99_us", run.samples.percentile_us(99), "us");
  if (auto cpu = servers_cpu_ns(run)) {
    report.figure("server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
    report.figure("deliveries_per_server_cpu_s",
                  *cpu > 0 ? measured / (static_cast<double>(*cpu) / 1e9) : 0.0, "/cpu-s");
  }
  if (!server.cluster.empty()) cluster_figures(report, server.cluster, run);
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

}  // namespace qc::bench
