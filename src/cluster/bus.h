// The cluster's bus, as the server glue sees it: what one node publishes reaches every other node
// (at most once: Redis pub/sub), and each node's presence (the accounts it has online) is kept
// in Redis with an expiry, so that a node that dies is noticed by the others within a bounded
// time. The payloads are opaque here (proto/bus encodes them); the implementation is Redis
// through hiredis on the server's event loop (cluster/redis_bus.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/node_record.h"
#include "util/result.h"

namespace qc::cluster {

enum class BusState : std::uint8_t {
  Connecting,  // not yet subscribed (at start, and after a loss while reconnecting)
  Up,          // subscribed: publishes reach the others
  Down,        // the connection was lost or timed out; reconnecting with backoff
};

// The state's name in log lines and the admin view.
constexpr std::string_view bus_state_name(BusState state) {
  switch (state) {
    case BusState::Connecting:
      return "connecting";
    case BusState::Up:
      return "up";
    case BusState::Down:
      break;
  }
  return "down";
}

struct BusStats {
  BusState state = BusState::Connecting;
  std::uint64_t published = 0;
  std::uint64_t received = 0;
  std::uint64_t dropped_while_down = 0;  // publishes given up while not Up (the store repairs)
  std::uint64_t reconnects = 0;
  std::chrono::microseconds last_round_trip{0};  // the last heartbeat's command round trip
  std::size_t nodes_alive = 0;                   // this node included
};

class Bus {
 public:
  struct Callbacks {
    // A payload another node published (never this node's own), in the order Redis gave them.
    std::function<void(std::string_view origin_node, std::string_view payload)> message;
    // The bus went Up (subscribed again after a loss: what was published meanwhile is lost, so
    // the caller repairs from the store) or Down.
    std::function<void(BusState)> state;
    // Another node's heartbeat expired (it died, or lost Redis for longer than the expiry): its
    // sessions are gone. Also called for a node whose heartbeat is gone when this node comes Up.
    std::function<void(std::string_view node)> node_down;
    std::function<void(std::string_view node)> node_up;  // a node seen for the first time (again)
    // This node's health for its heartbeat record (the bus fills at_ms and bus_rtt_us).
    std::function<NodeRecord()> record;
  };

  virtual ~Bus() = default;
  // The receiver of the bus's events (the server glue). Set it before the loop runs: the bus
  // connects on the loop, and events before it is set are lost.
  virtual void set_callbacks(Callbacks callbacks) = 0;
  // Reaches every other node that is Up, at most once. While this node is not Up the payload is
  // dropped (counted): the receivers repair gaps from the store by message id.
  virtual void publish(std::string payload) = 0;
  // This node's presence in Redis: the accounts with a session here (a set per node, rewritten
  // whole after every reconnect).
  virtual void set_online(std::string_view account, bool online) = 0;
  // Every other live node's online accounts, as last read (refreshed when the bus comes Up and
  // when a node comes up); for the presence a node gives its sessions.
  virtual std::vector<std::pair<std::string, std::vector<std::string>>> remote_online() const = 0;
  virtual std::vector<std::string> live_nodes() const = 0;  // this one included, sorted
  // Takes `count` ids from the cluster's v1 id counter, every one above `above` (the counter is
  // raised first: a Redis that lost it never gives an id twice); `done` gets the first, or
  // nullopt at once when not Up. No answer when the connection is lost meanwhile: the caller
  // gives up when the bus goes Down.
  virtual void take_ids(std::uint64_t count, std::uint64_t above,
                        std::function<void(std::optional<std::uint64_t> first)> done) = 0;
  virtual BusStats stats() const = 0;
  // Every node with a heartbeat record (this one included, sorted by id): alive or not, its
  // record and its online accounts, read from Redis now. Refused while the bus is not Up or when
  // Redis does not answer in time. `done` runs on the loop, later.
  using ClusterDone = std::function<void(Result<std::vector<ClusterNode>>)>;
  virtual void read_cluster(ClusterDone done) = 0;
};

}  // namespace qc::cluster
