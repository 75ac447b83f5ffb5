#include "bench_options.h"

#include <cstdlib>

namespace qc::bench {
namespace {

Result<void> parse_server(const std::string& text, Target& target) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return fail("usage", "--server must be HOST:PORT");
  target.host = text.substr(0, colon);
  const int port = std::atoi(text.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return fail("usage", "--server has a bad port: " + text);
  target.port = static_cast<std::uint16_t>(port);
  return {};
}

Result<std::vector<Credentials>> parse_users(const std::string& text) {
  std::vector<Credentials> users;
  for (const std::string& entry : app::split_list(text)) {
    const auto colon = entry.find(':');
    if (colon == std::string::npos) return fail("usage", "--users entries are NAME:PASSWORD");
    users.push_back({entry.substr(0, colon), entry.substr(colon + 1)});
  }
  return users;
}

}  // namespace

app::Flags make_bench_flags() {
  return app::Flags(
      "usage: quicchat bench SCENARIO [options]\n\n"
      "Load generator. Scenarios:\n"
      "  latency      two users, A sends to B one message at a time: one-way p50/p99/p99.9\n"
      "  fanout       N users, one broadcasts M messages, at most W in flight: deliveries/s,\n"
      "               latency, deliveries per server CPU-second; checks exactly-once, in order\n"
      "  connections  C idle logged-in sessions: server RSS and CPU per session, set-up rate\n"
      "  logins       a storm of C logins at bcrypt cost K while two users exchange messages\n"
      "Server CPU and RSS need the server's pid: --spawn-server or --server-pid.",
      {
          {"server", "127.0.0.1:4433", "server to measure (ignored with --spawn-server)"},
          {"ca", "certs/quic_certificate.pem", "CA / certificate file to verify the server"},
          {"alpn", "quicchat,echo-protocol", "ALPN list offered"},
          {"spawn-server", "", "start a fresh `quicchat server` with the needed accounts", true},
          {"server-pid", "", "pid of the running server, for its CPU and RSS"},
          {"server-args", "",
           "extra `quicchat server` arguments for --spawn-server (space-separated)"},
          {"server-wrapper", "",
           "command to run the spawned server under, e.g. 'valgrind --tool=callgrind'"},
          {"keep-server-dir", "", "keep the spawned server's temp folder (its log)", true},
          {"users", "", "accounts to use as NAME:PASSWORD,... (e.g. alice:p1,bob:p2)"},
          {"users-prefix", "u", "generated account names: PREFIX0000, PREFIX0001, ..."},
          {"password", "bench-password", "password of the generated accounts"},
          {"json", "", "also print one JSON line with every figure", true},
          {"timeout-s", "120", "give up when one phase takes longer"},
          {"messages", "", "messages measured (latency 10000, fanout 200, logins: background)"},
          {"warmup", "", "messages sent before measuring (latency 500, fanout 10)"},
          {"receivers", "100", "fanout: logged-in users, the sender included"},
          {"window", "10",
           "fanout: broadcasts not yet received by everyone, at most; a list (1,10,100) runs each"},
          {"count", "", "connections: sessions (1000); logins: logins in the storm (200)"},
          {"cost", "10", "logins: bcrypt cost of the storm accounts"},
          {"rate", "500", "logins: background messages per second during the storm"},
          {"no-login", "", "connections: stop at the QUIC handshake (no LOGIN)", true},
          {"in-flight", "64", "handshakes/logins pending at once while setting up sessions"},
      });
}

Result<BenchOptions> bench_options_from(const app::Flags& flags) {
  BenchOptions o;
  o.flags = &flags;
  if (auto r = parse_server(flags.get("server"), o.target); !r) return Unexpected<Error>{r.error()};
  o.target.ca_file = flags.get("ca");
  o.target.alpns = app::split_list(flags.get("alpn"));
  o.spawn = flags.on("spawn-server");
  if (flags.given("server-pid")) {
    auto pid = flags.get_int("server-pid", 1, 1 << 30);
    if (!pid) return Unexpected<Error>{pid.error()};
    o.server_pid = static_cast<pid_t>(*pid);
  }
  if (flags.given("users")) {
    auto users = parse_users(flags.get("users"));
    if (!users) return Unexpected<Error>{users.error()};
    o.users = std::move(*users);
  }
  o.users_prefix = flags.get("users-prefix");
  o.password = flags.get("password");
  o.json = flags.on("json");
  o.keep_server_dir = flags.on("keep-server-dir");
  o.server_wrapper = app::split_list(flags.get("server-wrapper"), ' ');
  o.server_args = app::split_list(flags.get("server-args"), ' ');
  auto timeout = flags.get_int("timeout-s", 1, 86'400);
  if (!timeout) return Unexpected<Error>{timeout.error()};
  o.phase_timeout = std::chrono::seconds(*timeout);
  return o;
}

Result<std::int64_t> int_option(const BenchOptions& opts, const char* name, std::int64_t fallback,
                                std::int64_t min, std::int64_t max) {
  if (opts.flags->get(name).empty()) return fallback;
  return opts.flags->get_int(name, min, max);
}

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
  if (!opts.spawn) return s;
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
  s.target.host = "127.0.0.1";
  s.target.port = s.spawned->port();
  s.target.ca_file = s.spawned->ca_file();
  s.pid = s.spawned->pid();
  return s;
}

}  // namespace qc::bench
