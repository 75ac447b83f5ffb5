#include "quicchat/bench/bench_options.h"

#include <array>
#include <cstdlib>

#include "auth/password.h"

namespace qc::app {
namespace {

using O = bench::BenchOptions;
using V = OptionValue;
using Set = Result<void>;

Result<bench::NodeAddress> parse_address(const std::string& text, const char* option) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return fail("usage", std::string(option) + " must be HOST:PORT");
  }
  const int port = std::atoi(text.c_str() + colon + 1);
  if (port <= 0 || port > 65535) {
    return fail("usage", std::string(option) + " has a bad port: " + text);
  }
  return bench::NodeAddress{text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

// HOST:PORT, or a cluster's nodes HOST:PORT,HOST:PORT,... (users spread over them in turn).
Set parse_server(const std::string& text, bench::Target& target) {
  target.nodes.clear();
  for (const std::string& entry : split_list(text)) {
    auto node = parse_address(entry, "--server");
    if (!node) return Unexpected<Error>{node.error()};
    target.nodes.push_back(*node);
  }
  if (target.nodes.empty()) return fail("usage", "--server must be HOST:PORT");
  target.host = target.nodes.front().host;
  target.port = target.nodes.front().port;
  if (target.nodes.size() == 1) target.nodes.clear();
  return {};
}

Set parse_pids(const std::string& text, std::vector<pid_t>& pids) {
  for (const std::string& entry : split_list(text)) {
    const long pid = std::atol(entry.c_str());
    if (pid <= 0) return fail("usage", "--server-pid takes pids separated by commas: " + text);
    pids.push_back(static_cast<pid_t>(pid));
  }
  if (pids.empty()) return fail("usage", "--server-pid needs a pid");
  return {};
}

Set parse_engines(const std::string& text, std::vector<std::pair<std::string, pid_t>>& engines) {
  for (const std::string& entry : split_list(text)) {
    const auto colon = entry.find(':');
    const long pid = colon == std::string::npos ? 0 : std::atol(entry.c_str() + colon + 1);
    if (colon == 0 || pid <= 0) return fail("usage", "--engine-pid entries are NAME:PID");
    engines.emplace_back(entry.substr(0, colon), static_cast<pid_t>(pid));
  }
  return {};
}

Set parse_users(const std::string& text, std::vector<bench::Credentials>& users) {
  for (const std::string& entry : split_list(text)) {
    const auto colon = entry.find(':');
    if (colon == std::string::npos) return fail("usage", "--users entries are NAME:PASSWORD");
    users.push_back({entry.substr(0, colon), entry.substr(colon + 1)});
  }
  return {};
}

Set parse_counts(const std::string& text, std::vector<std::uint64_t>& windows, const char* option) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const long long w = std::atoll(text.substr(start, end - start).c_str());
    if (w <= 0)
      return fail("usage", std::string(option) + " takes positive integers separated by commas");
    windows.push_back(static_cast<std::uint64_t>(w));
    start = end + 1;
  }
  if (windows.empty()) return fail("usage", std::string(option) + " needs a value");
  return {};
}

Set parse_history(const std::string& text, std::vector<std::string>& modes) {
  modes = split_list(text);
  if (modes.empty()) return fail("usage", "--history needs on, off or on,off");
  for (const std::string& mode : modes) {
    if (mode != "on" && mode != "off") return fail("usage", "--history takes on and off: " + text);
  }
  return {};
}

constexpr std::int64_t kMillion = 1'000'000;

constexpr auto kBenchOptions = std::to_array<Option<O>>({
    {{.name = "server",
      .default_value = "127.0.0.1:4433",
      .help = "server to measure, HOST:PORT (ignored with --spawn-server); a cluster's nodes "
              "HOST:PORT,HOST:PORT,...: users spread over them in turn, the sender on the first"},
     [](const V& v, O& o) { return parse_server(v.text, o.target); }},
    {{.name = "ca",
      .default_value = "certs/quic_certificate.pem",
      .help = "CA / certificate file to verify the server"},
     [](const V& v, O& o) -> Set {
       o.target.ca_file = v.text;
       return {};
     }},
    {{.name = "alpn", .default_value = "quicchat,echo-protocol", .help = "ALPN list offered"},
     [](const V& v, O& o) -> Set {
       o.target.alpns = split_list(v.text);
       return {};
     }},
    {{.name = "protocol",
      .default_value = "2",
      .help = "highest protocol version offered: 2 (v2 on ALPN quicchat, users by name) or 1",
      .kind = Kind::Int,
      .min = 1,
      .max = 2},
     [](const V& v, O& o) -> Set {
       o.target.protocol = v.number;
       return {};
     }},
    {{.name = "spawn-server",
      .help = "start a fresh `quicchat server` with the needed accounts",
      .kind = Kind::Switch},
     [](const V& v, O& o) -> Set {
       o.spawn = v.on;
       return {};
     }},
    {{.name = "server-pid",
      .help = "pid of the running server, for its CPU and RSS; a cluster's: every node's pid, "
              "comma-separated (CPU figures sum them)"},
     [](const V& v, O& o) -> Set {
       o.node_pids.clear();
       if (auto r = parse_pids(v.text, o.node_pids); !r) return r;
       o.server_pid = o.node_pids.front();
       return {};
     }},
    {{.name = "engine-pid",
      .help = "NAME:PID,...: processes (with their children) whose CPU is reported apart, e.g. "
              "redis:PID,postgres:PID (the postmaster: its backends are its children)"},
     [](const V& v, O& o) { return parse_engines(v.text, o.engine_pids); }},
    {{.name = "redis",
      .help = "HOST:PORT of the cluster's Redis: its commands and bytes per message (INFO stats)"},
     [](const V& v, O& o) -> Set {
       auto redis = parse_address(v.text, "--redis");
       if (!redis) return Unexpected<Error>{redis.error()};
       o.redis = *redis;
       return {};
     }},
    {{.name = "server-args",
      .help = "extra `quicchat server` arguments for --spawn-server (space-separated)"},
     [](const V& v, O& o) -> Set {
       o.server_args = split_list(v.text, ' ');
       return {};
     }},
    {{.name = "server-wrapper",
      .help = "command to run the spawned server under, e.g. 'valgrind --tool=callgrind'"},
     [](const V& v, O& o) -> Set {
       o.server_wrapper = split_list(v.text, ' ');
       return {};
     }},
    {{.name = "keep-server-dir",
      .help = "keep the spawned server's temp folder (its log)",
      .kind = Kind::Switch},
     [](const V& v, O& o) -> Set {
       o.keep_server_dir = v.on;
       return {};
     }},
    {{.name = "users", .help = "accounts to use as NAME:PASSWORD,... (e.g. alice:p1,bob:p2)"},
     [](const V& v, O& o) { return parse_users(v.text, o.users); }},
    {{.name = "users-prefix",
      .default_value = "u",
      .help = "generated account names: PREFIX0000, PREFIX0001, ..."},
     [](const V& v, O& o) -> Set {
       o.users_prefix = v.text;
       return {};
     }},
    {{.name = "password",
      .default_value = "bench-password",
      .help = "password of the generated accounts"},
     [](const V& v, O& o) -> Set {
       o.password = v.text;
       return {};
     }},
    {{.name = "json", .help = "also print one JSON line with every figure", .kind = Kind::Switch},
     [](const V& v, O& o) -> Set {
       o.json = v.on;
       return {};
     }},
    {{.name = "timeout-s",
      .default_value = "120",
      .help = "give up when one phase takes longer",
      .kind = Kind::Int,
      .min = 1,
      .max = 86'400},
     [](const V& v, O& o) -> Set {
       o.phase_timeout = std::chrono::seconds(v.number);
       return {};
     }},
    {{.name = "messages",
      .help = "messages measured (store: per sender; history: pages asked for)",
      .kind = Kind::Int,
      .min = 1,
      .max = 100 * kMillion,
      .by_mode = "latency=10000,fanout=200,room=200,store=500,history=1000"},
     [](const V& v, O& o) -> Set {
       o.messages = v.number;
       return {};
     }},
    {{.name = "warmup",
      .help = "messages sent before measuring (store: per sender; history: pages)",
      .kind = Kind::Int,
      .min = 0,
      .max = 100 * kMillion,
      .by_mode = "latency=500,fanout=10,room=10,store=5,history=10"},
     [](const V& v, O& o) -> Set {
       o.warmup = v.number;
       return {};
     }},
    {{.name = "receivers",
      .help = "fanout: logged-in users; room: the room's members; the sender included",
      .kind = Kind::Int,
      .min = 1,
      .max = 100'000,
      .by_mode = "fanout=100,room=1000"},
     [](const V& v, O& o) -> Set {
       o.receivers = v.number;
       return {};
     }},
    {{.name = "window",
      .help = "fanout, room: messages not yet received by everyone, at most; a list (1,10,100) "
              "runs each; store: unacknowledged messages per sender; history: in the prefill",
      .by_mode = "fanout=10,room=10,store=10,history=100"},
     [](const V& v, O& o) { return parse_counts(v.text, o.windows, "--window"); }},
    {{.name = "count",
      .help = "connections: sessions; logins: logins in the storm",
      .kind = Kind::Int,
      .min = 1,
      .max = kMillion,
      .by_mode = "connections=1000,logins=200"},
     [](const V& v, O& o) -> Set {
       o.count = v.number;
       return {};
     }},
    {{.name = "cost",
      .help = "logins: bcrypt cost of the storm accounts",
      .kind = Kind::Int,
      .min = auth::kMinCost,
      .max = auth::kMaxCost,
      .by_mode = "logins=10"},
     [](const V& v, O& o) -> Set {
       o.cost = v.number;
       return {};
     }},
    {{.name = "rate",
      .help = "logins: background messages per second during the storm",
      .kind = Kind::Int,
      .min = 1,
      .max = kMillion,
      .by_mode = "logins=500"},
     [](const V& v, O& o) -> Set {
       o.rate = v.number;
       return {};
     }},
    {{.name = "no-login",
      .help = "connections: stop at the QUIC handshake (no LOGIN)",
      .kind = Kind::Switch},
     [](const V& v, O& o) -> Set {
       o.login = !v.on;
       return {};
     }},
    {{.name = "in-flight",
      .default_value = "64",
      .help = "handshakes/logins pending at once while setting up sessions",
      .kind = Kind::Int,
      .min = 1,
      .max = 100'000},
     [](const V& v, O& o) -> Set {
       o.in_flight = v.number;
       return {};
     }},
    {{.name = "history",
      .default_value = "on,off",
      .help = "room: the spawned server's --history, a fresh server for each of the list"},
     [](const V& v, O& o) { return parse_history(v.text, o.history); }},
    {{.name = "senders",
      .help = "store: senders, each to a receiver of its own",
      .kind = Kind::Int,
      .min = 1,
      .max = 50'000,
      .by_mode = "store=100"},
     [](const V& v, O& o) -> Set {
       o.senders = v.number;
       return {};
     }},
    {{.name = "prefill",
      .help = "history: messages stored in the room before the pages are asked for",
      .kind = Kind::Int,
      .min = 1,
      .max = 100 * kMillion,
      .by_mode = "history=2000"},
     [](const V& v, O& o) -> Set {
       o.prefill = v.number;
       return {};
     }},
    {{.name = "page",
      .help = "history: messages asked for per page (the server caps it: --history-page-max)",
      .kind = Kind::Int,
      .min = 1,
      .max = 100'000,
      .by_mode = "history=500"},
     [](const V& v, O& o) -> Set {
       o.page = v.number;
       return {};
     }},
    {{.name = "client-threads",
      .default_value = "1",
      .help = "fanout, room, connections: spread the clients over K threads, each with its own "
              "event loop and client endpoint (user i on thread i mod K)",
      .kind = Kind::Int,
      .min = 1,
      .max = 64},
     [](const V& v, O& o) -> Set {
       o.client_threads = v.number;
       return {};
     }},
    {{.name = "datagrams",
      .help = "sendmmsg: datagrams sent per run",
      .kind = Kind::Int,
      .min = 1,
      .max = 1000 * kMillion,
      .by_mode = "sendmmsg=1000000"},
     [](const V& v, O& o) -> Set {
       o.datagrams = v.number;
       return {};
     }},
    {{.name = "datagram-bytes",
      .help = "sendmmsg: bytes per datagram: 1,200 is a full QUIC packet; a packet that "
              "carries one small chat PDU is about 150",
      .kind = Kind::Int,
      .min = 16,
      .max = 1200,
      .by_mode = "sendmmsg=1200"},
     [](const V& v, O& o) -> Set {
       o.datagram_bytes = v.number;
       return {};
     }},
    {{.name = "batch",
      .help = "sendmmsg: messages per sendmmsg call",
      .kind = Kind::Int,
      .min = 1,
      .max = 1024,
      .by_mode = "sendmmsg=64"},
     [](const V& v, O& o) -> Set {
       o.batch = v.number;
       return {};
     }},
    {{.name = "segments",
      .default_value = "1,8",
      .help = "sendmmsg: datagrams per message, 1 (plain) or more (UDP GSO, at most 50); a list "
              "(1,8) runs each"},
     [](const V& v, O& o) -> Set {
       if (auto r = parse_counts(v.text, o.segments, "--segments"); !r) return r;
       for (std::uint64_t s : o.segments) {
         if (s > 50) return fail("usage", "--segments: at most 50 datagrams per message");
       }
       return {};
     }},
    {{.name = "pdus-per-packet",
      .help = "sendmmsg: chat PDUs per packet, for the deliveries per CPU-second it implies",
      .kind = Kind::Int,
      .min = 1,
      .max = 1000,
      .by_mode = "sendmmsg=10"},
     [](const V& v, O& o) -> Set {
       o.pdus_per_packet = v.number;
       return {};
     }},
    {{.name = "options-markdown", .kind = Kind::Switch, .hidden = true}},
});

}  // namespace

std::span<const Option<bench::BenchOptions>> bench_options() { return kBenchOptions; }

Flags make_bench_flags() {
  return make_flags(
      "usage: quicchat bench SCENARIO [options]\n\n"
      "Load generator. Scenarios:\n"
      "  latency      two users, A sends to B one message at a time: one-way p50/p99/p99.9\n"
      "  fanout       N users, one broadcasts M messages, at most W in flight: deliveries/s,\n"
      "               latency, deliveries per server CPU-second; checks exactly-once, in order\n"
      "  connections  C idle logged-in sessions: server RSS and CPU per session, set-up rate\n"
      "  logins       a storm of C logins at bcrypt cost K while two users exchange messages\n"
      "  room         a room of N members, one sender, W in flight, with the server's history on\n"
      "               and off, next to the broadcast: deliveries per server CPU-second\n"
      "  store        S senders each to its own receiver, W unacked each: messages stored per\n"
      "               second, send -> ack latency\n"
      "  history      a room of P messages, its latest page of L asked for again and again:\n"
      "               server CPU per page, latency\n"
      "  sendmmsg     no server: kernel CPU per 1,200-byte datagram sent with sendmmsg (and UDP\n"
      "               GSO) to a loopback socket another thread drains; the physical limit\n"
      "Server CPU and RSS need the server's pid: --spawn-server or --server-pid.",
      option_infos(bench_options()));
}

Result<bench::BenchOptions> bench_options_from(Flags& flags, std::string_view scenario) {
  for (const auto& o : kBenchOptions) {
    if (!o.info.by_mode.empty()) {
      flags.set_default(o.info.name, mode_default(o.info, scenario));
    }
  }
  bench::BenchOptions options;
  if (auto applied = apply_options(bench_options(), flags, options); !applied) {
    return Unexpected{applied.error()};
  }
  return options;
}

std::string bench_options_markdown() { return options_markdown(option_infos(bench_options()), {}); }

}  // namespace qc::app
