// One sender keeps at most W messages not yet received by every member of a group; every member
// must get each message exactly once, in order (else the run fails). Shared by fanout (user 0
// broadcasts to every logged-in user) and room (user 0 sends to a room of them all). The sender's
// own copy is its Acked in v2 (a sending device gets no copy), its delivery in v1.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bench/load/cluster_probe.h"
#include "bench/load/proc.h"
#include "bench/load/stats.h"
#include "bench/scenarios/scenarios.h"

namespace qc::bench {

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
  // A cluster (Target::nodes): latency to users on the sender's node and on the others, and the
  // CPU of every node and engine (ClusterWatch) at both ends of the measured phase.
  std::size_t nodes = 1;
  LatencySamples same_node, cross_node;
  ClusterSample cluster_before, cluster_after;
  bool measuring = false;

  FanoutRun(std::size_t n, std::uint64_t w, std::uint64_t warm, std::uint64_t measured);
  bool done() const { return completed == total; }
  std::uint64_t measured() const { return total - warmup; }
};

// Drives one FanoutRun at a time on fleet users [0, run.users): user 0 sends with `send`, and
// each copy must come in conversation `conv` (not checked when empty, or in v1).
class WindowedFanout {
 public:
  using SendFn = std::function<Result<void>(BenchUser& sender, std::string_view text)>;
  WindowedFanout(Fleet& fleet, std::optional<pid_t> pid, std::string conv, SendFn send)
      : fleet_(fleet), pid_(pid), conv_(std::move(conv)), send_(std::move(send)) {}
  // Also sample these nodes and engines at both ends of the measured phase.
  void watch(ClusterWatch cluster) { cluster_ = std::move(cluster); }

  void start(FanoutRun& run);
  void on_message(std::size_t user, const client::Message& m);
  void on_acked(const client::Acked& a) { on_copy(0, a.send.text); }  // v2: the sender's copy

 private:
  void unexpected(std::size_t user, const std::string& from, const std::string& text);
  void on_copy(std::size_t user, const std::string& text);
  void on_completed();
  void maybe_start_measuring();
  void pump();

  Fleet& fleet_;
  std::optional<pid_t> pid_;
  std::string conv_;
  SendFn send_;
  ClusterWatch cluster_;
  FanoutRun* run_ = nullptr;
};

// CPU of the measured phase: every node's (a watched cluster), else the one server's.
std::optional<std::int64_t> servers_cpu_ns(const FanoutRun& run);

// A phase that runs `run` to its end.
Phase fanout_phase(std::string name, WindowedFanout& driver, FanoutRun& run,
                   std::chrono::milliseconds timeout);

// The figures of one run: deliveries per second and per server CPU-second, latency, the check.
Report fanout_report(std::string scenario, const ServerUnderTest& server, FanoutRun& run,
                     const Fleet& fleet);

}  // namespace qc::bench
