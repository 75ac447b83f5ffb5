// What the bench reads about a cluster under test (`--server a:p,b:p --server-pid P1,P2
// --engine-pid redis:PID,postgres:PID --redis HOST:PORT`): the CPU of every node, the CPU of each
// engine's process tree (PostgreSQL forks a backend per connection), and Redis's own counters
// (INFO stats: commands processed, bytes in and out), so that per-message figures count the
// whole cluster, not one node.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace qc::bench {

struct NodeAddress {
  std::string host;
  std::uint16_t port = 0;
};

struct ClusterWatch {
  std::vector<pid_t> nodes;                            // every node's pid, the first included
  std::vector<std::pair<std::string, pid_t>> engines;  // name, root of its process tree
  std::optional<NodeAddress> redis;                    // for INFO stats
  bool empty() const { return nodes.size() < 2 && engines.empty() && !redis; }
};

struct RedisStats {
  std::int64_t commands = 0;   // total_commands_processed
  std::int64_t net_in = 0;     // total_net_input_bytes
  std::int64_t net_out = 0;    // total_net_output_bytes
  std::int64_t own_reply = 0;  // bytes of this INFO reply: counted in the next sample's net_out
};

struct ClusterSample {
  std::optional<std::int64_t> nodes_cpu_ns;  // summed over ClusterWatch::nodes
  std::vector<std::optional<std::int64_t>> engines_cpu_ns;
  std::optional<RedisStats> redis;
};

ClusterSample sample_cluster(const ClusterWatch& watch);

// CPU of `root` and every process descended from it, in ns (schedstat of each task).
std::optional<std::int64_t> process_tree_cpu_ns(pid_t root);

inline constexpr std::string_view kRedisInfoRequest = "INFO stats\r\n";

// One `INFO stats` over a plain TCP connection (a blocking exchange of a few KiB, kept out of the
// measured traffic's loop by the caller sampling only at phase edges).
Result<RedisStats> redis_info(const NodeAddress& redis);

}  // namespace qc::bench
