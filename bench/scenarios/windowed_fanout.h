// One sender keeps at most W messages not yet received by every member of a group; every member
// must get each message exactly once, in order (else the run fails). Shared by fanout (user 0
// broadcasts to every logged-in user) and room (user 0 sends to a room of them all). The sender's
// own copy is its Acked in v2 (a sending device gets no copy), its delivery in v1.
//
// The clients may be spread over several threads (Fleets): each fleet tallies its own users'
// copies (in order, exactly once) and publishes how many messages reached all of them; the
// sender's fleet (0) takes the least of those as the messages that reached everyone. A fleet
// other than the sender's publishes by posting to the sender's loop.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bench/load/cluster_probe.h"
#include "bench/load/fleets.h"
#include "bench/load/proc.h"
#include "bench/load/stats.h"
#include "bench/scenarios/scenarios.h"

namespace qc::bench {

// One fleet's users in one run. Touched only by that fleet's thread, but for `published`.
struct FanoutTally {
  std::size_t users = 0;                // this fleet's users in the group
  std::vector<std::uint64_t> next_seq;  // per local user: the message it must get next
  std::vector<std::uint32_t> reached;   // per message: local users it reached
  std::uint64_t completed = 0;          // messages [0, completed) reached every local user
  std::uint64_t deliveries = 0;
  LatencySamples samples, same_node, cross_node;
  std::atomic<std::uint64_t> published{0};  // `completed`, for the sender's thread
  std::atomic<bool> post_pending{false};    // a post to the sender's loop not yet run
};

struct FanoutRun {
  using SendFn = std::function<Result<void>(BenchUser& sender, std::string_view text)>;
  std::size_t users = 0;
  std::uint64_t window = 0;
  std::uint64_t warmup = 0;
  std::uint64_t total = 0;
  std::string conv;  // the conversation every copy must come in (unchecked when empty, or v1)
  SendFn send;
  // The sender's side (fleet 0's thread).
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;  // messages [0, completed) reached every user
  ProcSample before, after;
  // A cluster (Target::nodes): latency to users on the sender's node and on the others, and the
  // CPU of every node and engine (ClusterWatch) at both ends of the measured phase.
  std::size_t nodes = 1;
  ClusterSample cluster_before, cluster_after;
  bool measuring = false;
  std::vector<std::unique_ptr<FanoutTally>> tallies;  // one per fleet

  FanoutRun(const Fleets& fleets, std::size_t n, std::uint64_t w, std::uint64_t warm,
            std::uint64_t measured);
  bool done() const { return completed == total; }
  std::uint64_t measured() const { return total - warmup; }
  // Totals over the fleets (after the run).
  std::uint64_t deliveries() const;
  LatencySamples merged(LatencySamples FanoutTally::*which) const;
};

// Drives runs on users [0, run.users) of `fleets`, one after another in the order added: user 0
// sends with each run's `send`.
class WindowedFanout {
 public:
  WindowedFanout(Fleets& fleets, std::optional<pid_t> pid);
  // Also sample these nodes and engines at both ends of the measured phase.
  void watch(ClusterWatch cluster) { cluster_ = std::move(cluster); }
  // Adds users [0, n) of `users` to the fleets, their copies checked here; user 0 sends.
  void enlist(const std::vector<Credentials>& users, std::size_t n);
  // Adds the next run (runs are received in the order added; add all before Fleets::run).
  FanoutRun& add(std::unique_ptr<FanoutRun> run);

  // The receive hooks, on the thread of `user`'s fleet (`user` is its global index).
  void on_message(std::size_t user, const client::Message& m);
  void on_acked(const client::Acked& a) { on_copy(0, a.send.text); }  // v2: the sender's copy

  // Fleet 0, once the sender is logged in and before the barrier that precedes the runs: notes
  // who the sender is, for every fleet's check of the copies' origin.
  Phase identify_sender();
  // Fleet k's phase for `run`: fleet 0 sends it and lasts until it reached everyone; any other
  // fleet lasts until it reached that fleet's users.
  Phase phase(std::size_t k, std::string name, FanoutRun& run, std::chrono::milliseconds timeout);

 private:
  struct Receiving {  // one fleet's place in the list of runs
    std::size_t run = 0;
  };
  void unexpected(std::size_t user, const std::string& from, const std::string& text);
  void on_copy(std::size_t user, const std::string& text);
  void publish(std::size_t k, FanoutRun& run);
  void on_progress();
  void maybe_start_measuring();
  void pump();

  Fleets& fleets_;
  std::optional<pid_t> pid_;
  ClusterWatch cluster_;
  std::vector<std::unique_ptr<FanoutRun>> runs_;
  std::vector<Receiving> receiving_;  // per fleet
  FanoutRun* sending_ = nullptr;      // fleet 0's current run
  struct {
    std::int64_t version = 0;
    std::string name;
    std::uint64_t id = 0;
  } sender_;
};

// CPU of the measured phase: every node's (a watched cluster), else the one server's.
std::optional<std::int64_t> servers_cpu_ns(const FanoutRun& run);

// The figures of one run: deliveries per second and per server CPU-second, latency, the check.
Report fanout_report(std::string scenario, const ServerUnderTest& server, const FanoutRun& run,
                     const Fleets& fleets);

}  // namespace qc::bench
