#include "bench/scenarios/options.h"

namespace qc::bench {
Result<ServerUnderTest> prepare_server(const BenchOptions& opts, std::size_t needed,
                                       std::vector<AccountBatch> batches) {
  ServerUnderTest s;
  s.target = opts.target;
  s.pid = opts.server_pid;
  if (!opts.users.empty() && !opts.spawn) {  // a spawned server has the generated accounts
    s.users = opts.users;
  } else {
    for (std::size_t i = 0; i < needed; ++i) {
      s.users.push_back({account_name(opts.users_prefix, i), opts.password});
    }
  }
  if (s.users.size() < needed) {
    return fail("usage", "this run needs " + std::to_string(needed) + " accounts, --users names " +
                             std::to_string(s.users.size()));
  }
  if (!opts.spawn) {
    s.cluster = {opts.node_pids, opts.engine_pids, opts.redis};
    return s;
  }
  SpawnOptions spawn;
  for (auto& b : batches) {
    b.prefix = opts.users_prefix;
    b.password = opts.password;
    spawn.accounts.push_back(b);
  }
  spawn.extra_args = opts.server_args;
  spawn.wrapper = opts.server_wrapper;
  spawn.keep_dir = opts.keep_server_dir;
  auto server = SpawnedServer::start(spawn);
  if (!server) return Unexpected<Error>{server.error()};
  s.spawned = std::move(*server);
  s.target.nodes.clear();  // a spawned server is one node, whatever --server listed
  s.target.host = "127.0.0.1";
  s.target.port = s.spawned->port();
  s.target.ca_file = s.spawned->ca_file();
  s.pid = s.spawned->pid();
  return s;
}

Result<std::unique_ptr<Fleets>> make_fleets(const ServerUnderTest& server,
                                            const BenchOptions& opts) {
  return Fleets::create(server.target, opts.phase_timeout,
                        static_cast<std::size_t>(opts.client_threads));
}

}  // namespace qc::bench
