// The cluster as operators see it: `quicchat admin nodes` and `who --cluster` on any node show
// every node (read from Redis: each node's heartbeat record and presence set), a node killed
// with SIGKILL shows as down, and a kick or a password change asked on one node ends the
// account's sessions on another. Two nodes, one real Redis, the first node's SQLite as the store.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/engines.h"
#include "support/server_process.h"
#include "support/temp_dir.h"
#include "support/v2_peer.h"

namespace qc::itest {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// The line of `nodes`' table for `node`, as words: id state address up-age "ago" heartbeat-age
// "ago" accounts sessions bus-rtt store store-time. Empty when the node is not listed.
std::vector<std::string> node_row(const std::string& table, const std::string& node) {
  std::istringstream in(table);
  for (std::string line; std::getline(in, line);) {
    auto words = words_of(line);
    if (!words.empty() && words[0] == node) return words;
  }
  return {};
}

class ClusterAdmin : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis.started()) << redis.error();
    for (int i = 0; i < 2; ++i) {
      nodes.push_back(std::make_unique<ServerProcess>(node_options(i)));
      ASSERT_TRUE(nodes.back()->started()) << nodes.back()->error();
    }
  }

  std::string socket(int i) const { return redis.dir() + "/n" + std::to_string(i + 1) + ".sock"; }

  ServerProcessOptions node_options(int i) const {
    ServerProcessOptions o;
    o.extra_args = {"--cluster",      redis.url(), "--node-id", "n" + std::to_string(i + 1),
                    "--admin-socket", socket(i)};
    if (i > 0) {
      o.extra_args.push_back("--db");
      o.extra_args.push_back(nodes[0]->db_file());
    }
    return o;
  }

  std::unique_ptr<V2Peer> login(int i, const std::string& user, const std::string& device = "") {
    auto& server = *nodes[static_cast<std::size_t>(i)];
    auto peer = V2Peer::connect(net, {"127.0.0.1", server.port(), server.ca_file()});
    EXPECT_TRUE(peer);
    if (!peer) return nullptr;
    std::string password;
    for (const Account& a : default_accounts())
      if (a.name == user) password = a.password;
    auto welcome = peer->login(user, password, device);
    EXPECT_TRUE(welcome) << server.log();
    return welcome ? std::move(peer) : nullptr;
  }

  // Asks node i's admin socket until `done` holds for the output (the heartbeat writes every
  // second): the last output, and whether it held.
  std::pair<CommandResult, bool> ask_until(int i, const std::vector<std::string>& command,
                                           const std::function<bool(const std::string&)>& done,
                                           std::chrono::milliseconds timeout = 8s) {
    std::vector<std::string> args = {"admin", "--socket", socket(i)};
    args.insert(args.end(), command.begin(), command.end());
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      CommandResult r = run_quicchat(args);
      if (r.status == 0 && done(r.out)) return {r, true};
      if (std::chrono::steady_clock::now() > deadline) return {r, false};
      std::this_thread::sleep_for(100ms);  // polling a question: there is no event to await
    }
  }

  ServerProcess& node(int i) { return *nodes[static_cast<std::size_t>(i)]; }

  RedisProcess redis;
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  Net net;
};

TEST_F(ClusterAdmin, NodesListsEveryNodeWithItsUsersAndHealthAndADeadNodeAsDown) {
  auto alice = login(0, "alice");
  auto alice2 = login(1, "alice", "laptop");
  auto bob = login(1, "bob");
  ASSERT_TRUE(alice && alice2 && bob);

  // Asked on n1, about both: n2's accounts come from its presence set in Redis.
  auto [table, listed] = ask_until(0, {"nodes"}, [](const std::string& out) {
    auto n1 = node_row(out, "n1"), n2 = node_row(out, "n2");
    return n1.size() == 12 && n2.size() == 12 && n1[7] == "1" && n2[7] == "2" && n2[8] == "2";
  });
  ASSERT_TRUE(listed) << table.out << node(0).log();
  EXPECT_NE(table.out.find("NODE"), std::string::npos) << table.out;
  const auto n2 = node_row(table.out, "n2");
  EXPECT_EQ(n2[1], "up");
  EXPECT_EQ(n2[2], "127.0.0.1:" + std::to_string(node(1).port()));
  EXPECT_EQ(n2[10], "ok") << "the store answered every operation";
  EXPECT_NE(table.out.find("2 nodes, 2 up, 3 accounts online"), std::string::npos) << table.out;

  // n2's store time: both its logins looked their account up in the store.
  auto stats = run_quicchat({"admin", "--socket", socket(1), "stats"});
  EXPECT_EQ(stats.status, 0) << stats.out;
  const std::string login_count = "quicchat_store_seconds_count{op=\"login\"}";
  const std::size_t at = stats.out.find(login_count);
  ASSERT_NE(at, std::string::npos) << stats.out;
  EXPECT_EQ(words_of(stats.out.substr(at, stats.out.find('\n', at) - at)).back(), "2") << stats.out;

  auto who = run_quicchat({"admin", "--socket", socket(1), "who", "--cluster"});
  EXPECT_EQ(who.status, 0) << who.out;
  EXPECT_NE(who.out.find("n1    alice\n"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("n2    alice\n"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("n2    bob\n"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("3 online on 2 nodes"), std::string::npos) << who.out;

  node(1).kill_hard();
  auto [after, down] = ask_until(0, {"nodes"}, [](const std::string& out) {
    auto row = node_row(out, "n2");
    return row.size() == 12 && row[1] == "down";
  });
  EXPECT_TRUE(down) << after.out;
  const auto dead = node_row(after.out, "n2");
  ASSERT_EQ(dead.size(), 12u) << after.out;
  EXPECT_EQ(dead[7], "0") << "its presence set expired with it";
  EXPECT_NE(after.out.find("2 nodes, 1 up, 1 accounts online"), std::string::npos) << after.out;
}

TEST_F(ClusterAdmin, KickAndPasswordChangeOnOneNodeEndSessionsOnTheOther) {
  auto bob = login(0, "bob");
  ASSERT_TRUE(bob);
  ASSERT_TRUE(ask_until(1, {"who", "--cluster"}, [](const std::string& out) {
                return out.find("n1    bob\n") != std::string::npos;
              }).second);
  auto kick = run_quicchat({"admin", "--socket", socket(1), "kick", "bob", "spam"});
  EXPECT_EQ(kick.status, 0) << kick.out;
  EXPECT_NE(kick.out.find("kicked bob on every node (0 sessions on this one)"), std::string::npos)
      << kick.out;
  auto closed = bob->wait_closed(10s);
  ASSERT_TRUE(closed) << node(0).log();
  EXPECT_NE(closed->reason.find("spam"), std::string::npos) << closed->reason;

  auto alice = login(0, "alice");
  ASSERT_TRUE(alice);
  auto passwd = run_quicchat(
      {"user", "passwd", "alice", "--admin-socket", socket(1), "--password-stdin"}, "n3w-pass\n");
  EXPECT_EQ(passwd.status, 0) << passwd.out;
  ASSERT_TRUE(alice->wait_closed(10s)) << node(0).log();

  auto cam = login(0, "cam");
  ASSERT_TRUE(cam);
  auto del = run_quicchat({"user", "del", "cam", "--admin-socket", socket(1)});
  EXPECT_EQ(del.status, 0) << del.out;
  ASSERT_TRUE(cam->wait_closed(10s)) << node(0).log();
}

TEST(ClusterAdminAlone, NodesOnAServerOutsideAClusterSaysSo) {
  const std::string dir = make_temp_dir("admin-alone");
  ASSERT_FALSE(dir.empty());
  const std::string path = dir + "/alone.sock";
  ServerProcessOptions o;
  o.extra_args = {"--admin-socket", path};
  {
    ServerProcess server(o);
    ASSERT_TRUE(server.started()) << server.error();
    for (const char* cmd : {"nodes", "who"}) {
      std::vector<std::string> args = {"admin", "--socket", path, cmd};
      if (std::string(cmd) == "who") args.push_back("--cluster");
      auto r = run_quicchat(args);
      EXPECT_EQ(r.status, 0) << r.out;
      EXPECT_EQ(r.out, "this server is not in a cluster (it runs without --cluster)\n") << r.out;
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace qc::itest
