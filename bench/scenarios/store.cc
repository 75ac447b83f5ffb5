// store: a 1:1 storm. S senders each send to a receiver of their own (2S users), keeping at most
// W messages unacknowledged; with the server's message store on (its default) an ack leaves only
// once the message is durable, so acks per second are messages stored per second with group
// commit, and send -> ack is the durable acknowledgement's latency. Checks: every message acked
// once, in order, with ascending ids, and delivered once, in order, to its receiver.
#include <functional>

#include "bench/load/proc.h"
#include "bench/load/stats.h"
#include "bench/load/text.h"
#include "bench/scenarios/scenarios.h"

namespace qc::bench {
namespace {

struct Pair {
  std::size_t sender = 0, receiver = 0;  // fleet indexes
  std::uint64_t sent = 0, acked = 0, received = 0;
  std::uint64_t last_id = 0;
};

class Storm {
 public:
  Storm(Fleet& fleet, std::size_t senders, std::uint64_t window) : fleet_(fleet), window_(window) {
    for (std::size_t i = 0; i < senders; ++i) pairs_.push_back({i, senders + i});
  }

  // Each sender goes on until it sent `total` messages (counted from its first); samples are
  // kept for messages from `measured_from` on.
  void start(std::uint64_t total, std::uint64_t measured_from) {
    total_ = total;
    measured_from_ = measured_from;
    done_pairs_ = 0;
    for (std::size_t p = 0; p < pairs_.size(); ++p) {
      if (complete(pairs_[p])) ++done_pairs_;
      pump(p);
    }
  }
  bool done() const { return done_pairs_ == pairs_.size(); }

  void on_acked(std::size_t p, const client::Acked& a) {
    const std::int64_t now = now_ns();
    Pair& pair = pairs_[p];
    auto stamp = parse_text(a.send.text);
    if (!stamp || stamp->seq != pair.acked || a.sent.size() != 1 || a.duplicate ||
        a.sent.front().id <= pair.last_id) {
      return fleet_.fail(fleet_.user(pair.sender).name + ": ack " + std::to_string(pair.acked) +
                         " out of order, duplicate or without a new id: '" + a.send.text + "'");
    }
    pair.last_id = a.sent.front().id;
    ++pair.acked;
    ++acks_;
    if (stamp->seq >= measured_from_) ack_latency.add(now - stamp->sent_ns);
    settle(p);
    pump(p);
  }

  void on_message(std::size_t p, const client::Message& m) {
    Pair& pair = pairs_[p];
    const BenchUser& receiver = fleet_.user(pair.receiver);
    auto stamp = parse_text(m.text);
    if (!sent_by(m, fleet_.user(pair.sender)) || !stamp || stamp->seq != pair.received) {
      return fleet_.fail(receiver.name + ": expected message " + std::to_string(pair.received) +
                         " from " + fleet_.user(pair.sender).name + ", got '" + m.text + "' from " +
                         m.sender_name);
    }
    ++pair.received;
    ++deliveries_;
    settle(p);
  }

  std::string progress() const {
    return std::to_string(acks_) + " acks, " + std::to_string(deliveries_) + " deliveries, " +
           std::to_string(done_pairs_) + "/" + std::to_string(pairs_.size()) + " senders done";
  }
  std::uint64_t acks() const { return acks_; }
  std::uint64_t deliveries() const { return deliveries_; }
  LatencySamples ack_latency;
  std::function<void()> on_done;  // once every pair is done

 private:
  void pump(std::size_t p) {
    Pair& pair = pairs_[p];
    while (pair.sent < total_ && pair.sent - pair.acked < window_) {
      const std::string text = make_text({pair.sent++, now_ns()});
      if (auto r = send_one(fleet_.user(pair.sender), fleet_.user(pair.receiver), text); !r)
        return fleet_.fail("send: " + r.error().message);
    }
  }
  // A pair is done for this stage when all it sent was acked and received.
  bool complete(const Pair& pair) const { return pair.acked == total_ && pair.received == total_; }
  void settle(std::size_t p) {
    if (!complete(pairs_[p])) return;
    if (++done_pairs_ == pairs_.size() && on_done) on_done();
  }

  Fleet& fleet_;
  std::uint64_t window_;
  std::vector<Pair> pairs_;
  std::uint64_t total_ = 0, measured_from_ = 0;
  std::size_t done_pairs_ = 0;
  std::uint64_t acks_ = 0, deliveries_ = 0;
};

}  // namespace

Result<std::vector<Report>> run_store(const BenchOptions& opts) {
  if (opts.target.protocol != 2) return fail("usage", "store needs protocol v2 (acks)");
  const auto senders = static_cast<std::size_t>(opts.senders);
  const auto window = opts.windows.front();
  const auto warmup = static_cast<std::uint64_t>(opts.warmup);
  const auto total = warmup + static_cast<std::uint64_t>(opts.messages);
  raise_open_files_limit();
  auto server = prepare_server(opts, 2 * senders, {account_batch(0, 2 * senders)});
  if (!server) return Unexpected<Error>{server.error()};
  auto fleet_made = Fleet::create(server->target, opts.phase_timeout);
  if (!fleet_made) return Unexpected<Error>{fleet_made.error()};
  Fleet& fleet = **fleet_made;
  for (std::size_t i = 0; i < 2 * senders; ++i) {
    fleet.add_user(server->users[i].name, server->users[i].password);
  }
  Storm storm(fleet, senders, window);
  for (std::size_t p = 0; p < senders; ++p) {
    fleet.user(p).on_acked = [&storm, p](const client::Acked& a) { storm.on_acked(p, a); };
    fleet.user(senders + p).on_message = [&storm, p](const client::Message& m) {
      storm.on_message(p, m);
    };
  }

  ProcSample before, after;
  std::vector<Phase> phases;
  phases.push_back(
      fleet.connect_phase("login", 0, 2 * senders, static_cast<std::size_t>(opts.in_flight)));
  // The warm-up's messages all acked and received: the server is idle when measuring starts.
  phases.push_back(wait_phase(
      "warm-up", [&] { storm.start(warmup, total); }, [&] { return storm.done(); },
      opts.phase_timeout, [&] { return storm.progress(); }));
  phases.push_back(wait_phase(
      "storm",
      [&] {
        storm.on_done = [&] { after = sample_process(server->pid); };
        before = sample_process(server->pid);
        storm.start(total, warmup);
      },
      [&] { return storm.done(); }, opts.phase_timeout, [&] { return storm.progress(); }));
  if (!server->spawned) phases.push_back(fleet.logout_phase());
  if (auto r = fleet.run(std::move(phases)); !r) return Unexpected<Error>{r.error()};

  const double measured = static_cast<double>(senders) * static_cast<double>(opts.messages);
  Report report("store");
  describe_target(report, *server, fleet);
  describe_logouts(report, *server, fleet);
  report.param("senders", static_cast<double>(senders));
  report.param("messages", static_cast<double>(opts.messages));
  report.param("window", static_cast<double>(window));
  report.param("warmup", static_cast<double>(warmup));
  const double wall_s = static_cast<double>(after.wall_ns - before.wall_ns) / 1e9;
  report.figure("stored", measured, "");
  report.figure("stored_per_s", measured / wall_s, "/s");
  report.figure("ack_p50_us", storm.ack_latency.percentile_us(50), "us");
  report.figure("ack_p99_us", storm.ack_latency.percentile_us(99), "us");
  report.figure("ack_p999_us", storm.ack_latency.percentile_us(99.9), "us");
  if (auto cpu = cpu_delta_ns(before, after)) {
    report.figure("server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
    report.figure("server_cpu_us_per_message", static_cast<double>(*cpu) / 1e3 / measured, "us");
  }
  add_bench_cpu(report, before, after);
  const std::uint64_t expected = senders * total;
  report.check("every message acked once, in order, with ascending ids", storm.acks() == expected,
               std::to_string(storm.acks()) + "/" + std::to_string(expected) + " acks");
  report.check("every receiver got every message exactly once, in order",
               storm.deliveries() == expected,
               std::to_string(storm.deliveries()) + "/" + std::to_string(expected) + " deliveries");
  return std::vector<Report>{std::move(report)};
}

}  // namespace qc::bench
