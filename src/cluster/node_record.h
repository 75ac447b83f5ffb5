// A node's heartbeat record: what each node publishes about itself in Redis at every heartbeat
// (the hash quicchat:health, field = node id), so that any node's admin socket can show the
// whole cluster (`quicchat admin nodes`). One short line of key=value words, for example
//   v=1 addr=127.0.0.1:4433 up=1764760000000 at=1764760042000 sessions=3 rtt_us=410 store=ok
//   store_us=850
// Unknown keys are ignored (a newer node's record still decodes). Pure: the fuzz target feeds the
// decoder anything (another node's bytes are input).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace qc::cluster {

struct NodeRecord {
  std::string address;           // the node's QUIC address, HOST:PORT
  std::int64_t up_since_ms = 0;  // when the node started (unix ms, its own clock)
  std::int64_t at_ms = 0;        // when this heartbeat was written (unix ms, its own clock)
  std::uint64_t sessions = 0;    // sessions logged in on the node
  std::uint64_t bus_rtt_us = 0;  // its last heartbeat's Redis round trip
  bool store_ok = true;          // its last store operation did not fail with a database error
  std::uint64_t store_us = 0;    // its last store operation's time (queue wait included)
  friend bool operator==(const NodeRecord&, const NodeRecord&) = default;
};

std::string encode_node_record(const NodeRecord& record);
// Refused: no v=1, no at=, a number that does not parse, a word without '='; at most 512 bytes.
Result<NodeRecord> decode_node_record(std::string_view text);

// One node as `quicchat admin nodes` shows it: from the health hash, its heartbeat key (alive or
// not) and its presence set (the accounts online there).
struct ClusterNode {
  std::string id;
  bool alive = false;
  std::optional<NodeRecord> record;  // none: the record did not decode
  std::vector<std::string> accounts;
};

// The table `quicchat admin nodes` prints (a header, one line per node, a total line); ages are
// from now_ms (this node's clock).
std::string format_nodes(const std::vector<ClusterNode>& nodes, std::int64_t now_ms);
// `quicchat admin who --cluster`: NODE and ACCOUNT, one account a line, then a total line.
std::string format_cluster_who(const std::vector<ClusterNode>& nodes);

}  // namespace qc::cluster
