// Conformance suite entry point. Without --server it starts our own server (short timings, so
// the timeout tests run in seconds); with --server it tests whatever listens there; with
// --servers, a cluster's nodes (user i on node i mod n); with --cluster N, our own cluster of N
// nodes (a Redis started here, the first node's SQLite file shared), user i on node i mod N.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "conformance/suite.h"
#include "support/engines.h"

namespace qc::conformance {
namespace {

SuiteConfig g_config;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

struct Args {
  std::string server;
  std::vector<std::string> servers;
  std::vector<std::string> cas;
  int cluster = 0;
};

itest::Target target_of(const std::string& host_port, const std::string& ca) {
  itest::Target t = g_config.target;
  const auto colon = host_port.rfind(':');
  t.host = host_port.substr(0, colon);
  t.port = static_cast<std::uint16_t>(std::atoi(host_port.substr(colon + 1).c_str()));
  t.ca_file = ca;
  return t;
}

bool parse_args(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--server")
      args.server = value();
    else if (a == "--servers")
      args.servers = split(value(), ',');
    else if (a == "--cluster")
      args.cluster = std::atoi(value().c_str());
    else if (a == "--alpn")
      g_config.target.alpns = split(value(), ',');
    else if (a == "--ca")
      args.cas = split(value(), ',');
    else if (a == "--users") {
      g_config.users.clear();
      for (const auto& pair : split(value(), ',')) {
        auto colon = pair.find(':');
        if (colon == std::string::npos) return false;
        g_config.users.push_back({pair.substr(0, colon), pair.substr(colon + 1)});
      }
    } else if (a == "--login-retry-window-ms") {
      g_config.login_retry_window = std::chrono::milliseconds(std::atoll(value().c_str()));
    } else if (a == "--keepalive-timeout-ms") {
      g_config.keepalive_timeout = std::chrono::milliseconds(std::atoll(value().c_str()));
    } else {
      std::fprintf(stderr, "conformance: unknown argument %s\n", a.c_str());
      return false;
    }
  }
  return true;
}

// Our own server(s), with timings short enough for the timeout tests. --msg-rate 0: the suite
// checks protocol behaviour, and one case sends 500 messages at once, far over the default burst
// of the per-session rate limit.
class OwnServers {
 public:
  bool start(int cluster) {
    if (cluster > 0) redis_ = std::make_unique<itest::RedisProcess>();
    if (redis_ && !redis_->started()) return fail("redis: " + redis_->error());
    for (int i = 0; i < std::max(cluster, 1); ++i) {
      itest::ServerProcessOptions opts;
      opts.extra_args = {
          "--login-retry-window-ms", "1500", "--keepalive-timeout-ms", "2000", "--msg-rate", "0"};
      if (cluster > 0) {
        for (std::string arg : {std::string("--cluster"), redis_->url(), std::string("--node-id"),
                                "n" + std::to_string(i + 1)})
          opts.extra_args.push_back(std::move(arg));
      }
      if (i > 0) {  // the first node's database is the cluster's store
        opts.extra_args.push_back("--db");
        opts.extra_args.push_back(nodes_[0]->db_file());
      }
      nodes_.push_back(std::make_unique<itest::ServerProcess>(opts));
      if (!nodes_.back()->started()) return fail(nodes_.back()->error());
    }
    for (const auto& node : nodes_) {
      itest::Target t = g_config.target;
      t.port = node->port();
      t.ca_file = node->ca_file();
      if (cluster > 0) {
        g_config.nodes.push_back(t);
        // v1 logins wait for the bus (their ids come from Redis): start with it Up.
        if (!node->wait_for_log("cluster_bus_state state=up", std::chrono::seconds(10)))
          return fail("a node's bus did not come up: " + node->log());
      }
    }
    g_config.target = g_config.nodes.empty() ? g_config.target : g_config.nodes.front();
    if (g_config.nodes.empty()) {
      g_config.target.port = nodes_[0]->port();
      g_config.target.ca_file = nodes_[0]->ca_file();
    }
    g_config.login_retry_window = std::chrono::milliseconds(1500);
    g_config.keepalive_timeout = std::chrono::milliseconds(2000);
    return true;
  }
  void stop() {
    for (auto& node : nodes_) node->terminate();
  }
  const std::string& error() const { return error_; }
  const itest::RedisProcess* redis() const { return redis_.get(); }

 private:
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  std::unique_ptr<itest::RedisProcess> redis_;  // a cluster's
  std::vector<std::unique_ptr<itest::ServerProcess>> nodes_;
  std::string error_;
};

// In a cluster a test's sessions end on their own nodes and reach the others over the bus a
// little later: a next test that logged in meanwhile would hear of the last test's users (a late
// LOGOUT_BROADCAST, a list with them in it). So each test starts once Redis shows no account
// online on any node (each node updates its set before it publishes the change). Bounded: after
// 10 s the test runs anyway and says what it sees.
class SettledCluster : public ::testing::EmptyTestEventListener {
 public:
  explicit SettledCluster(const itest::RedisProcess& redis) : redis_(redis) {}
  void OnTestStart(const ::testing::TestInfo&) override {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (online() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polls Redis's online sets
  }

 private:
  long long online() const {
    const std::string reply = redis_.command(
        "EVAL \"local n = 0 for _, k in ipairs(redis.call('KEYS', 'quicchat:online:*')) do "
        "n = n + redis.call('SCARD', k) end return n\" 0");
    return reply.size() > 1 && reply[0] == ':' ? std::atoll(reply.c_str() + 1) : 0;
  }
  const itest::RedisProcess& redis_;
};
}  // namespace

const SuiteConfig& config() { return g_config; }

}  // namespace qc::conformance

int main(int argc, char** argv) {
  using namespace qc;
  ::testing::InitGoogleTest(&argc, argv);
  conformance::g_config.users = itest::default_accounts();
  conformance::Args args;
  if (!conformance::parse_args(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: conformance [--server HOST:PORT | --servers HOST:PORT,... | --cluster N]\n"
                 "                   [--alpn LIST --ca FILE[,FILE...] --users a:p,b:p,c:p\n"
                 "                    --login-retry-window-ms N --keepalive-timeout-ms N]\n");
    return 2;
  }
  if (conformance::g_config.users.size() < 3) {
    std::fprintf(stderr, "conformance: --users needs at least three accounts\n");
    return 2;
  }
  auto ca = [&](std::size_t i) {
    return args.cas.empty() ? std::string() : args.cas[std::min(i, args.cas.size() - 1)];
  };
  std::unique_ptr<conformance::OwnServers> own;
  if (!args.servers.empty()) {
    for (std::size_t i = 0; i < args.servers.size(); ++i)
      conformance::g_config.nodes.push_back(conformance::target_of(args.servers[i], ca(i)));
    conformance::g_config.target = conformance::g_config.nodes.front();
  } else if (!args.server.empty()) {
    conformance::g_config.target = conformance::target_of(args.server, ca(0));
  } else {
    own = std::make_unique<conformance::OwnServers>();
    if (!own->start(args.cluster)) {
      std::fprintf(stderr, "conformance: %s\n", own->error().c_str());
      return 1;
    }
    if (own->redis() != nullptr)
      ::testing::UnitTest::GetInstance()->listeners().Append(
          new conformance::SettledCluster(*own->redis()));
  }
  int status = RUN_ALL_TESTS();
  if (own) own->stop();
  return status;
}
