// `quicchat bench` options shared by every scenario, and the server a run measures: one it
// spawns (--spawn-server) or one already running (--server, optionally --server-pid).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/fleet.h"
#include "bench/server.h"
#include "flags.h"
#include "util/result.h"

namespace qc::bench {

struct Credentials {
  std::string name;
  std::string password;
};

struct BenchOptions {
  Target target;
  bool spawn = false;
  std::optional<pid_t> server_pid;
  std::vector<Credentials> users;  // --users name:pw,...; empty = generated from the prefix
  std::string users_prefix = "u";
  std::string password = "bench-password";
  bool json = false;
  bool keep_server_dir = false;
  std::vector<std::string> server_wrapper;
  std::vector<std::string> server_args;
  std::chrono::milliseconds phase_timeout{120'000};
  const app::Flags* flags = nullptr;  // for scenario-specific options
};

app::Flags make_bench_flags();
Result<BenchOptions> bench_options_from(const app::Flags& flags);

// An integer scenario option with its scenario default when not given.
Result<std::int64_t> int_option(const BenchOptions& opts, const char* name, std::int64_t fallback,
                                std::int64_t min, std::int64_t max);

// The server a run measures, and the users it may log in as.
struct ServerUnderTest {
  Target target;
  std::optional<pid_t> pid;
  std::unique_ptr<SpawnedServer> spawned;  // null when measuring an external server
  std::vector<Credentials> users;
};

// Spawns a server holding `batches` when --spawn-server, else describes the external one.
// `needed` users must be available (from --users, or generated u0000.. with --password).
Result<ServerUnderTest> prepare_server(const BenchOptions& opts, std::size_t needed,
                                       std::vector<AccountBatch> batches);

}  // namespace qc::bench
