// What a `quicchat bench` run is told (apps/quicchat/bench fills it from the command line, each
// scenario's defaults included), and the server a run measures: one it spawns (--spawn-server)
// or one already running (--server, optionally --server-pid).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/load/fleet.h"
#include "bench/load/fleets.h"
#include "bench/load/server.h"
#include "util/result.h"

namespace qc::bench {

struct Credentials {
  std::string name;
  std::string password;
};

// Every field is set from the option table (its defaults live there, not here).
struct BenchOptions {
  Target target;
  bool spawn = false;
  std::optional<pid_t> server_pid;
  std::vector<pid_t> node_pids;                            // --server-pid P1,P2,...: a cluster
  std::vector<std::pair<std::string, pid_t>> engine_pids;  // --engine-pid redis:PID,...
  std::optional<NodeAddress> redis;                        // --redis HOST:PORT
  std::vector<Credentials> users;  // --users name:pw,...; empty = generated from the prefix
  std::string users_prefix;
  std::string password;
  bool json = false;
  bool keep_server_dir = false;
  std::vector<std::string> server_wrapper;
  std::vector<std::string> server_args;
  std::chrono::milliseconds phase_timeout{};
  // The scenario's parameters; a scenario reads only its own.
  std::int64_t messages = 0;           // measured
  std::int64_t warmup = 0;             // sent before measuring
  std::int64_t receivers = 0;          // fanout: logged-in users, the sender included
  std::vector<std::uint64_t> windows;  // fanout: broadcasts in flight at most, one run each
  std::int64_t count = 0;              // connections: sessions; logins: logins in the storm
  std::int64_t cost = 0;               // logins: bcrypt cost of the storm accounts
  std::int64_t rate = 0;               // logins: background messages per second
  bool login = true;                   // connections: log in (false: stop at the handshake)
  std::int64_t in_flight = 0;        // handshakes/logins pending at once while setting up sessions
  std::vector<std::string> history;  // room: the spawned server's --history, one run each
  std::int64_t senders = 0;          // store: senders, each to a receiver of its own
  std::int64_t prefill = 0;          // history: messages stored before the pages are read
  std::int64_t page = 0;             // history: messages asked for per page
  // fanout, room, connections: threads the clients are spread over, each with its own event
  // loop and client endpoint (1: every client on the calling thread's loop).
  std::int64_t client_threads = 1;
  std::int64_t datagrams = 0;           // sendmmsg: datagrams sent per run
  std::int64_t batch = 0;               // sendmmsg: messages per sendmmsg call
  std::vector<std::uint64_t> segments;  // sendmmsg: datagrams per message (>1: UDP GSO), a run each
  std::int64_t pdus_per_packet = 0;     // sendmmsg: PDUs one packet carries, for deliveries/CPU-s
  std::int64_t datagram_bytes = 0;      // sendmmsg: bytes per datagram (a segment, with GSO)
};

// The server a run measures, and the users it may log in as.
struct ServerUnderTest {
  Target target;
  std::optional<pid_t> pid;
  ClusterWatch cluster;                    // external nodes and engines (none for a spawned server)
  std::unique_ptr<SpawnedServer> spawned;  // null when measuring an external server
  std::vector<Credentials> users;
};

// Spawns a server holding `batches` when --spawn-server, else describes the external one.
// `needed` users must be available (from --users, or generated u0000.. with --password).
Result<ServerUnderTest> prepare_server(const BenchOptions& opts, std::size_t needed,
                                       std::vector<AccountBatch> batches);

// The clients for `server`: --client-threads fleets.
Result<std::unique_ptr<Fleets>> make_fleets(const ServerUnderTest& server,
                                            const BenchOptions& opts);

}  // namespace qc::bench
