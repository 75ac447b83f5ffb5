#include "bench/scenarios/windowed_fanout.h"

#include "bench/load/text.h"

namespace qc::bench {

namespace {

// Users [0, n) that live in fleet k of `threads`.
std::size_t users_in(std::size_t n, std::size_t k, std::size_t threads) {
  return k < n ? (n - k + threads - 1) / threads : 0;
}

}  // namespace

FanoutRun::FanoutRun(const Fleets& fleets, std::size_t n, std::uint64_t w, std::uint64_t warm,
                     std::uint64_t measured)
    : users(n), window(w), warmup(warm), total(warm + measured) {
  for (std::size_t k = 0; k < fleets.threads(); ++k) {
    auto tally = std::make_unique<FanoutTally>();
    tally->users = users_in(n, k, fleets.threads());
    tally->next_seq.assign(tally->users, 0);
    tally->reached.assign(total, 0);
    tally->samples.reserve(tally->users * measured);
    if (tally->users == 0) tally->completed = total;  // nobody here to wait for
    tally->published.store(tally->completed);
    tallies.push_back(std::move(tally));
  }
}

std::uint64_t FanoutRun::deliveries() const {
  std::uint64_t sum = 0;
  for (const auto& t : tallies) sum += t->deliveries;
  return sum;
}

LatencySamples FanoutRun::merged(LatencySamples FanoutTally::*which) const {
  LatencySamples all;
  for (const auto& t : tallies) all.append((*t).*which);
  return all;
}

WindowedFanout::WindowedFanout(Fleets& fleets, std::optional<pid_t> pid)
    : fleets_(fleets), pid_(pid), receiving_(fleets.threads()) {}

void WindowedFanout::enlist(const std::vector<Credentials>& users, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    fleets_.add_user(users[i].name, users[i].password);
    fleets_.user(i).on_message = [this, i](const client::Message& m) { on_message(i, m); };
  }
  fleets_.user(0).on_acked = [this](const client::Acked& a) { on_acked(a); };
}

FanoutRun& WindowedFanout::add(std::unique_ptr<FanoutRun> run) {
  runs_.push_back(std::move(run));
  return *runs_.back();
}

Phase WindowedFanout::identify_sender() {
  return instant_phase("sender", [this] {
    const BenchUser& u = fleets_.user(0);
    sender_.version = u.client->session().version();
    sender_.name = u.client->session().my_name();
    sender_.id = u.id;
  });
}

void WindowedFanout::on_message(std::size_t user, const client::Message& m) {
  const bool from_sender =
      sender_.version == 2 ? m.sender_name == sender_.name : m.sender_id == sender_.id;
  if (!from_sender) return unexpected(user, m.sender_name, m.text);
  const Receiving& r = receiving_[fleets_.fleet_of(user)];
  const std::string& conv = r.run < runs_.size() ? runs_[r.run]->conv : std::string();
  if (!conv.empty() && !m.conv.empty() && m.conv != conv) {
    return fleets_.fleet(fleets_.fleet_of(user))
        .fail(fleets_.user(user).name + ": a message in " + m.conv + ", expected " + conv);
  }
  on_copy(user, m.text);
}

void WindowedFanout::unexpected(std::size_t user, const std::string& from,
                                const std::string& text) {
  fleets_.fleet(fleets_.fleet_of(user))
      .fail(fleets_.user(user).name + ": unexpected message from " + from + ": '" + text + "'");
}

void WindowedFanout::on_copy(std::size_t user, const std::string& text) {
  const std::int64_t arrived = now_ns();
  auto stamp = parse_text(text);
  const std::size_t k = fleets_.fleet_of(user);
  Receiving& receiving = receiving_[k];
  if (receiving.run >= runs_.size() || !stamp) return unexpected(user, sender_.name, text);
  FanoutRun& run = *runs_[receiving.run];
  FanoutTally& tally = *run.tallies[k];
  const std::size_t local = fleets_.local_of(user);
  if (local >= tally.users || stamp->seq >= run.total) return unexpected(user, sender_.name, text);
  if (stamp->seq != tally.next_seq[local]) {
    return fleets_.fleet(k).fail(
        fleets_.user(user).name + ": expected message " + std::to_string(tally.next_seq[local]) +
        ", got " + std::to_string(stamp->seq) +
        (stamp->seq < tally.next_seq[local] ? " (duplicate)" : " (lost or reordered)"));
  }
  ++tally.next_seq[local];
  ++tally.deliveries;
  if (stamp->seq >= run.warmup) {
    tally.samples.add(arrived - stamp->sent_ns);
    if (run.nodes > 1) {
      auto& split = user % run.nodes == 0 ? tally.same_node : tally.cross_node;
      split.add(arrived - stamp->sent_ns);
    }
  }
  if (++tally.reached[stamp->seq] < tally.users) return;
  while (tally.completed < run.total && tally.reached[tally.completed] == tally.users)
    ++tally.completed;
  if (tally.completed == run.total) ++receiving.run;  // the next copy belongs to the next run
  publish(k, run);
}

// Tells the sender's loop how far fleet k got: directly on its own thread, else by one post
// (further progress while a post is pending rides on it).
void WindowedFanout::publish(std::size_t k, FanoutRun& run) {
  FanoutTally& tally = *run.tallies[k];
  tally.published.store(tally.completed);
  if (k == 0) return on_progress();
  if (tally.post_pending.exchange(true)) return;
  fleets_.fleet(0).loop().post([this, &run, &tally] {
    tally.post_pending.store(false);
    if (&run == sending_) on_progress();
  });
}

// Fleet 0: the messages every fleet has seen reached everyone.
void WindowedFanout::on_progress() {
  if (sending_ == nullptr) return;
  FanoutRun& run = *sending_;
  std::uint64_t least = run.total;
  for (const auto& t : run.tallies) least = std::min(least, t->published.load());
  if (least <= run.completed) return;
  run.completed = least;
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
  FanoutRun& run = *sending_;
  if (run.measuring || run.completed < run.warmup) return;
  run.measuring = true;
  if (!cluster_.empty()) run.cluster_before = sample_cluster(cluster_);
  run.before = sample_process(pid_);
}

void WindowedFanout::pump() {
  FanoutRun& run = *sending_;
  const std::uint64_t limit = run.measuring ? run.total : run.warmup;
  while (run.sent < limit && run.sent - run.completed < run.window) {
    const std::string text = make_text({run.sent++, now_ns()});
    if (auto r = run.send(fleets_.user(0), text); !r)
      return fleets_.fleet(0).fail("send: " + r.error().message);
  }
}

Phase WindowedFanout::phase(std::size_t k, std::string name, FanoutRun& run,
                            std::chrono::milliseconds timeout) {
  if (k != 0) {
    FanoutTally& tally = *run.tallies[k];
    return wait_phase(
        std::move(name), {}, [&run, &tally] { return tally.completed == run.total; }, timeout);
  }
  return wait_phase(
      std::move(name),
      [this, &run] {
        sending_ = &run;
        maybe_start_measuring();
        pump();
      },
      [&run] { return run.done(); }, timeout,
      [&run] {
        return std::to_string(run.completed) + "/" + std::to_string(run.total) +
               " messages reached everyone";
      });
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
void cluster_figures(Report& report, const ClusterWatch& watch, const FanoutRun& run) {
  const double messages = static_cast<double>(run.measured());
  const double deliveries = static_cast<double>(run.users) * messages;
  if (run.nodes > 1) {
    report.param("nodes", static_cast<double>(run.nodes));
    LatencySamples same = run.merged(&FanoutTally::same_node);
    LatencySamples cross = run.merged(&FanoutTally::cross_node);
    report.figure("same_node_p50_us", same.percentile_us(50), "us");
    report.figure("same_node_p99_us", same.percentile_us(99), "us");
    report.figure("cross_node_p50_us", cross.percentile_us(50), "us");
    report.figure("cross_node_p99_us", cross.percentile_us(99), "us");
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

Report fanout_report(std::string scenario, const ServerUnderTest& server, const FanoutRun& run,
                     const Fleets& fleets) {
  const double measured = static_cast<double>(run.users) * static_cast<double>(run.measured());
  Report report(std::move(scenario));
  describe_target(report, server, fleets);
  describe_logouts(report, server, fleets);
  report.param("client_threads", static_cast<double>(fleets.threads()));
  report.param("receivers", static_cast<double>(run.users));
  report.param("messages", static_cast<double>(run.measured()));
  report.param("window", static_cast<double>(run.window));
  report.param("warmup", static_cast<double>(run.warmup));
  const double wall_s = static_cast<double>(run.after.wall_ns - run.before.wall_ns) / 1e9;
  report.figure("deliveries", measured, "");
  report.figure("deliveries_per_s", measured / wall_s, "/s");
  LatencySamples samples = run.merged(&FanoutTally::samples);
  report.figure("p50_us", samples.percentile_us(50), "us");
  report.figure("p99_us", samples.percentile_us(99), "us");
  if (auto cpu = servers_cpu_ns(run)) {
    report.figure("server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
    report.figure("deliveries_per_server_cpu_s",
                  *cpu > 0 ? measured / (static_cast<double>(*cpu) / 1e9) : 0.0, "/cpu-s");
  }
  add_bench_cpu(report, run.before, run.after);
  if (!server.cluster.empty()) cluster_figures(report, server.cluster, run);
  const std::uint64_t expected = static_cast<std::uint64_t>(run.users) * run.total;
  report.check(
      "every user got every message exactly once, in order", run.deliveries() == expected,
      std::to_string(run.deliveries()) + "/" + std::to_string(expected) + " deliveries, no loss");
  if (fleets.protocol_violations() > 0) {
    report.note(std::to_string(fleets.protocol_violations()) +
                " malformed PDUs from the server, first: " + fleets.first_violation());
  }
  return report;
}

}  // namespace qc::bench
