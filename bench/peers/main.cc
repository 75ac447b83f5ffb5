// qc-peerbench: the project's load generator for the peer servers quicchat is measured beside
// (ngIRCd and nats-server over TLS 1.3). Same scenarios, payload and report fields as
// `quicchat bench`, so one table script reads both (scripts/bench-peers).
#include <gnutls/gnutls.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench/load/proc.h"
#include "bench/peers/peer_run.h"

namespace {

using qc::peers::PeerBenchOptions;

constexpr const char* kUsage =
    R"(usage: qc-peerbench SCENARIO --proto irc|nats --port PORT --ca FILE [options]

Scenarios (the same as `quicchat bench`'s, over IRC or NATS on TLS 1.3):
  latency      A sends to B one message at a time: one-way p50/p99, server CPU per message
  fanout       N receivers, one sender, at most W messages in flight: deliveries per server
               CPU-second, deliveries/s, p50/p99; every receiver checks every message
  connections  C registered idle connections: server RSS per connection, CPU per set-up

Options:
  --proto irc|nats        the peer's protocol
  --host ADDR             server address (default 127.0.0.1)
  --port PORT             the server's TLS port
  --ca FILE               the certificate the server's is checked against
  --server-pid PID        the server's pid, for its CPU and RSS (/proc)
  --label NAME            the target's name in the report (default: the protocol)
  --irc-oper NAME:PASS    IRC: the sender sends OPER and MODE +F (ngIRCd's flood cap 3 -> 10)
  --tls-record-max BYTES  plaintext bytes per TLS record sent, at most (default 16384)
  --timeout-s S           give up when one phase takes longer (default 120)
  --json                  also print one JSON line with every figure
  --messages M            latency, fanout: messages measured (default 10000, 1000)
  --warmup K              latency, fanout: sent before measuring (default 500, 10)
  --receivers N           fanout: receivers (default 100)
  --window W              fanout: messages not yet received by everyone, at most (default 10)
  --count C               connections: connections (default 1000)
  --in-flight K           connections, fanout: set-ups pending at once (default 8)
)";

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr, "qc-peerbench: %s\n\n%s", why.c_str(), kUsage);
  std::exit(2);
}

std::int64_t number(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 0)
    usage_error(flag + " wants a number, not '" + text + "'");
  return value;
}

struct Defaults {
  std::int64_t messages, warmup;
};

PeerBenchOptions parse(const std::vector<std::string>& args, std::string& scenario) {
  if (args.empty() || args[0] == "--help") usage_error("no scenario");
  scenario = args[0];
  const Defaults defaults = scenario == "latency" ? Defaults{10000, 500} : Defaults{1000, 10};
  PeerBenchOptions o;
  o.messages = defaults.messages;
  o.warmup = defaults.warmup;
  o.receivers = 100;
  o.window = 10;
  o.count = 1000;
  std::string proto;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--json") {
      o.json = true;
      continue;
    }
    if (i + 1 >= args.size()) usage_error(flag + " wants a value");
    const std::string& v = args[++i];
    if (flag == "--proto")
      proto = v;
    else if (flag == "--host")
      o.peer.host = v;
    else if (flag == "--port")
      o.peer.port = static_cast<std::uint16_t>(number(flag, v));
    else if (flag == "--ca")
      o.ca_file = v;
    else if (flag == "--server-pid")
      o.server_pid = static_cast<pid_t>(number(flag, v));
    else if (flag == "--label")
      o.label = v;
    else if (flag == "--irc-oper")
      o.peer.irc_oper = v;
    else if (flag == "--tls-record-max")
      o.tls_record_max = static_cast<std::size_t>(number(flag, v));
    else if (flag == "--timeout-s")
      o.phase_timeout = std::chrono::seconds(number(flag, v));
    else if (flag == "--messages")
      o.messages = number(flag, v);
    else if (flag == "--warmup")
      o.warmup = number(flag, v);
    else if (flag == "--receivers")
      o.receivers = number(flag, v);
    else if (flag == "--window")
      o.window = number(flag, v);
    else if (flag == "--count")
      o.count = number(flag, v);
    else if (flag == "--in-flight")
      o.in_flight = number(flag, v);
    else
      usage_error("unknown option " + flag);
  }
  if (proto == "irc")
    o.peer.protocol = qc::peers::PeerProtocol::Irc;
  else if (proto == "nats")
    o.peer.protocol = qc::peers::PeerProtocol::Nats;
  else
    usage_error("--proto wants irc or nats");
  if (o.peer.port == 0 || o.ca_file.empty()) usage_error("--port and --ca are needed");
  if (o.tls_record_max < 64 || o.tls_record_max > 16384) usage_error("--tls-record-max: 64..16384");
  if (o.window < 1 || o.in_flight < 1) usage_error("--window and --in-flight: at least 1");
  if (o.label.empty()) o.label = proto;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  std::string scenario;
  const PeerBenchOptions opts = parse(std::vector<std::string>(argv + 1, argv + argc), scenario);
  if (scenario != "latency" && scenario != "fanout" && scenario != "connections") {
    usage_error("unknown scenario " + scenario);
  }
  qc::bench::raise_open_files_limit();
  gnutls_global_init();
  auto tls = qc::peers::TlsClientConfig::load(opts.ca_file);
  if (!tls) {
    std::fprintf(stderr, "qc-peerbench: %s\n", tls.error().message.c_str());
    return 1;
  }
  int status = 1;
  {
    qc::peers::PeerRun run(opts, std::move(*tls));
    const qc::bench::Report report = scenario == "latency"  ? qc::peers::run_latency(run)
                                     : scenario == "fanout" ? qc::peers::run_fanout(run)
                                                            : qc::peers::run_connections(run);
    std::string table = report.table();  // Report names `quicchat bench` as the tool
    if (table.rfind("quicchat bench", 0) == 0) table.replace(0, 14, "qc-peerbench");
    std::printf("%s", table.c_str());
    if (opts.json) std::printf("%s\n", report.json_line().c_str());
    status = report.passed() ? 0 : 1;
  }
  gnutls_global_deinit();
  return status;
}
