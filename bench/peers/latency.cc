// latency: A sends to B one message at a time (IRC: PRIVMSG B; NATS: PUB to B's own subject)
// and sends the next when B has it; warm-up first, then the measured ones.
#include "bench/load/stats.h"
#include "bench/load/text.h"
#include "bench/peers/peer_run.h"

namespace qc::peers {

namespace {

struct LatencyState {
  std::uint64_t warmup = 0;
  std::uint64_t total = 0;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  bench::LatencySamples samples;
  bench::ProcSample before, after;
};

}  // namespace

bench::Report run_latency(PeerRun& run) {
  const auto& opts = run.options();
  PeerClient& a = run.add_client("pbA");
  PeerClient& b = run.add_client("pbB");
  LatencyState s;
  s.warmup = static_cast<std::uint64_t>(opts.warmup);
  s.total = s.warmup + static_cast<std::uint64_t>(opts.messages);
  s.samples.reserve(static_cast<std::size_t>(opts.messages));

  auto send_next = [&] {
    if (s.sent == s.warmup) {
      s.before = run.sample();
    }
    a.publish(PeerClient::Audience::User, b.name(), bench::make_text({s.sent++, bench::now_ns()}));
    a.flush();
  };
  b.on_payload = [&](std::string_view payload, std::int64_t arrived) {
    auto stamp = bench::parse_text(payload);
    if (!stamp || stamp->seq != s.received) {
      return run.fail("message " + std::to_string(s.received) + " lost or out of order: '" +
                      std::string(payload) + "'");
    }
    if (stamp->seq >= s.warmup) s.samples.add(arrived - stamp->sent_ns);
    if (++s.received == s.total) {
      s.after = run.sample();
    }
    if (s.sent < s.total) send_next();
  };

  const bool ready =
      run.connect(0, 2, 2) && run.wait(
                                  "subscribe", [&] { return b.subscribed() && a.sender_ready(); },
                                  [&, asked = false]() mutable {
                                    if (asked) return;
                                    asked = true;
                                    b.subscribe(PeerClient::Audience::User);
                                    a.become_sender();
                                  });
  if (ready) {
    run.settle(std::chrono::milliseconds(100));
    send_next();
    run.wait("messages", [&] { return s.received == s.total || !run.failure().empty(); });
  }

  bench::Report report = run.start_report("latency");
  report.param("messages", static_cast<double>(opts.messages));
  report.param("warmup", static_cast<double>(opts.warmup));
  const bool done = s.received == s.total && s.after.wall_ns != 0;
  if (done) {
    const double wall_s = static_cast<double>(s.after.wall_ns - s.before.wall_ns) / 1e9;
    report.figure("p50_us", s.samples.percentile_us(50), "us");
    report.figure("p99_us", s.samples.percentile_us(99), "us");
    report.figure("p999_us", s.samples.percentile_us(99.9), "us");
    report.figure("max_us", s.samples.percentile_us(100), "us");
    report.figure("messages_per_s", static_cast<double>(opts.messages) / wall_s, "msg/s");
    if (auto cpu_ns = bench::cpu_delta_ns(s.before, s.after)) {
      report.figure("server_cpu_us_per_message",
                    static_cast<double>(*cpu_ns) / 1e3 / static_cast<double>(opts.messages), "us");
    }
    bench::add_bench_cpu(report, s.before, s.after);
  }
  report.check("every message arrived once, in order", done,
               std::to_string(s.received) + "/" + std::to_string(s.total) + " messages");
  run.finish_report(report);
  return report;
}

}  // namespace qc::peers
