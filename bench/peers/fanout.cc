// fanout: N receivers subscribed to one channel (IRC #pbfan, NATS pb.fan) and one sender that
// keeps at most W messages sent but not yet received by every receiver. Each receiver checks
// that it gets every message once and in order.
#include <string>
#include <vector>

#include "bench/load/stats.h"
#include "bench/load/text.h"
#include "bench/peers/peer_run.h"

namespace qc::peers {

namespace {

struct FanoutState {
  std::size_t receivers = 0;
  std::uint64_t window = 0;
  std::uint64_t warmup = 0;
  std::uint64_t total = 0;
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;  // messages [0, completed) reached every receiver
  std::uint64_t deliveries = 0;
  std::vector<std::uint32_t> reached;   // per message: receivers that have it
  std::vector<std::uint64_t> next_seq;  // per receiver: the message it expects next
  bench::LatencySamples samples;
  bench::ProcSample before, after;
  bool measuring = false;

  std::uint64_t measured() const { return total - warmup; }
  bool done() const { return completed == total; }
};

void on_copy(PeerRun& run, FanoutState& s, std::size_t receiver, std::string_view payload,
             std::int64_t arrived) {
  auto stamp = bench::parse_text(payload);
  if (!stamp || stamp->seq >= s.total)
    return run.fail("receiver " + std::to_string(receiver) + ": malformed '" +
                    std::string(payload) + "'");
  if (stamp->seq != s.next_seq[receiver]) {
    return run.fail("receiver " + std::to_string(receiver) + ": expected message " +
                    std::to_string(s.next_seq[receiver]) + ", got " + std::to_string(stamp->seq));
  }
  ++s.next_seq[receiver];
  ++s.deliveries;
  if (stamp->seq >= s.warmup) s.samples.add(arrived - stamp->sent_ns);
  if (++s.reached[stamp->seq] < s.receivers) return;
  while (s.completed < s.total && s.reached[s.completed] == s.receivers) ++s.completed;
  if (!s.measuring && s.completed >= s.warmup) {
    s.measuring = true;
    s.before = run.sample();
  }
  if (s.done()) {
    s.after = run.sample();
  }
}

// Queues what the window allows and sends it at once.
void top_up(PeerClient& sender, FanoutState& s) {
  // The warm-up completes before the measured messages start: the clock starts on an empty pipe.
  std::uint64_t limit = s.total;
  if (s.sent < s.warmup) {
    limit = s.warmup;
  } else if (s.completed < s.warmup) {
    return;
  }
  if (s.sent >= limit || s.sent - s.completed >= s.window) return;
  while (s.sent < limit && s.sent - s.completed < s.window) {
    sender.publish(PeerClient::Audience::Fanout, {}, bench::make_text({s.sent++, bench::now_ns()}));
  }
  sender.flush();
}

}  // namespace

bench::Report run_fanout(PeerRun& run) {
  const auto& opts = run.options();
  FanoutState s;
  s.receivers = static_cast<std::size_t>(opts.receivers);
  s.window = static_cast<std::uint64_t>(opts.window);
  s.warmup = static_cast<std::uint64_t>(opts.warmup);
  s.total = s.warmup + static_cast<std::uint64_t>(opts.messages);
  s.reached.assign(s.total, 0);
  s.next_seq.assign(s.receivers, 0);
  s.samples.reserve(s.receivers * s.measured());
  s.measuring = s.warmup == 0;

  PeerClient& sender = run.add_client("pbsend");
  for (std::size_t i = 0; i < s.receivers; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "pb%05zu", i);
    PeerClient& r = run.add_client(name);
    r.on_payload = [&run, &s, i](std::string_view payload, std::int64_t arrived) {
      on_copy(run, s, i, payload, arrived);
    };
  }
  auto& clients = run.clients();
  // The sender first: on IRC it joins the channel before the receivers do.
  bool ready = run.connect(0, 1, 1) &&
               run.wait(
                   "sender", [&] { return sender.sender_ready(); },
                   [&, asked = false]() mutable {
                     if (!asked) sender.become_sender();
                     asked = true;
                   }) &&
               run.connect(1, clients.size(), static_cast<std::size_t>(opts.in_flight));
  if (ready) {
    for (std::size_t i = 1; i < clients.size(); ++i)
      clients[i]->subscribe(PeerClient::Audience::Fanout);
    ready = run.wait("subscribe", [&] {
      for (std::size_t i = 1; i < clients.size(); ++i) {
        if (!clients[i]->subscribed()) return false;
      }
      return true;
    });
  }
  if (ready) {
    run.settle(std::chrono::milliseconds(300));
    if (s.measuring) {
      s.before = run.sample();
    }
    run.wait(
        "messages", [&] { return s.done() || !run.failure().empty(); }, [&] { top_up(sender, s); });
  }

  bench::Report report = run.start_report("fanout");
  report.param("receivers", static_cast<double>(s.receivers));
  report.param("messages", static_cast<double>(s.measured()));
  report.param("window", static_cast<double>(s.window));
  report.param("warmup", static_cast<double>(s.warmup));
  const double measured = static_cast<double>(s.receivers) * static_cast<double>(s.measured());
  if (s.done() && s.after.wall_ns != 0) {
    const double wall_s = static_cast<double>(s.after.wall_ns - s.before.wall_ns) / 1e9;
    report.figure("deliveries", measured, "");
    report.figure("deliveries_per_s", measured / wall_s, "/s");
    report.figure("p50_us", s.samples.percentile_us(50), "us");
    report.figure("p99_us", s.samples.percentile_us(99), "us");
    if (auto cpu_ns = bench::cpu_delta_ns(s.before, s.after)) {
      const double cpu = static_cast<double>(*cpu_ns) / 1e9;
      report.figure("server_cpu_s", cpu, "s");
      report.figure("deliveries_per_server_cpu_s", cpu > 0 ? measured / cpu : 0.0, "/cpu-s");
    }
    bench::add_bench_cpu(report, s.before, s.after);
    report.figure("wall_s", wall_s, "s");
  }
  const std::uint64_t expected = s.receivers * s.total;
  report.check("every receiver got every message exactly once, in order", s.deliveries == expected,
               std::to_string(s.deliveries) + "/" + std::to_string(expected) + " deliveries");
  run.finish_report(report);
  return report;
}

}  // namespace qc::peers
