// cluster::RedisBus against a real redis-server started by the test: several nodes (buses) on one
// event loop, publish and receive, presence, a node that dies, Redis killed and restarted, Redis
// hung (SIGSTOP). Every wait runs the loop until a condition holds or a deadline passes.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cluster/redis_bus.h"
#include "io/event_loop.h"
#include "support/engines.h"

namespace qc::cluster {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Short timings so that the bounds are measured in well under a second each.
constexpr milliseconds kInterval{200};
constexpr milliseconds kExpiry{600};
constexpr milliseconds kReplyTimeout{400};
// Scheduling slack on a shared 2-core machine, on top of each documented bound.
constexpr milliseconds kSlack{600};

struct Node {
  std::string id;
  std::unique_ptr<RedisBus> bus;
  std::vector<std::pair<std::string, std::string>> messages;  // origin, payload
  std::vector<BusState> states;
  std::vector<std::string> ups;
  std::vector<std::string> downs;

  BusState state() const { return bus->stats().state; }
  std::vector<std::string> payloads() const {
    std::vector<std::string> out;
    for (const auto& m : messages) out.push_back(m.second);
    return out;
  }
};

class ClusterBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.started()) << redis_.error();
    auto loop = io::EventLoop::create();
    ASSERT_TRUE(loop) << loop.error().message;
    loop_ = std::move(*loop);
    // Checked after every batch of events: the wait ends as soon as its condition holds.
    loop_->on_idle([this] {
      if (until_ && until_()) loop_->stop();
    });
  }

  void TearDown() override {
    if (redis_.pid() > 0) kill(redis_.pid(), SIGCONT);
    nodes_.clear();  // the buses before the loop
  }

  RedisConfig config(const std::string& id) const {
    RedisConfig c;
    c.host = "127.0.0.1";
    c.port = redis_.port();
    c.node_id = id;
    c.heartbeat_interval = kInterval;
    c.node_expiry = kExpiry;
    c.reply_timeout = kReplyTimeout;
    c.connect_timeout = 500ms;
    c.reconnect_min = 50ms;
    c.reconnect_max = 300ms;
    return c;
  }

  Node& add_node(const std::string& id) { return add_node(config(id)); }
  Node& add_node(const RedisConfig& c) {
    const std::string id = c.node_id;
    auto node = std::make_unique<Node>();
    node->id = id;
    node->bus = RedisBus::create(*loop_, c);
    Node* n = node.get();
    node->bus->set_callbacks({
        .message = [n](std::string_view origin,
                       std::string_view payload) { n->messages.emplace_back(origin, payload); },
        .state = [n](BusState s) { n->states.push_back(s); },
        .node_down = [n](std::string_view other) { n->downs.emplace_back(other); },
        .node_up = [n](std::string_view other) { n->ups.emplace_back(other); },
        .record = {},  // no health record (it_cluster_admin_test covers it)
    });
    nodes_[id] = std::move(node);
    return *n;
  }

  // Runs the loop until done() holds (true) or `limit` passes (false).
  bool run_until(std::function<bool()> done, milliseconds limit = 5s) {
    if (done()) return true;
    until_ = done;
    auto timer = loop_->add_timer(Clock::now() + limit, [this] { loop_->stop(); });
    (void)loop_->run();
    loop_->cancel_timer(timer);
    until_ = nullptr;
    return done();
  }

  bool all_up_and_seeing(std::size_t count) {
    return std::all_of(nodes_.begin(), nodes_.end(), [count](const auto& entry) {
      return entry.second->state() == BusState::Up &&
             entry.second->bus->live_nodes().size() == count;
    });
  }

  bool all_in(BusState state) {
    return std::all_of(nodes_.begin(), nodes_.end(),
                       [state](const auto& entry) { return entry.second->state() == state; });
  }

  milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  }

  itest::RedisProcess redis_;
  std::unique_ptr<io::EventLoop> loop_;
  std::function<bool()> until_;
  std::map<std::string, std::unique_ptr<Node>> nodes_;
};

TEST_F(ClusterBusTest, PublishReachesTheOtherNodesInOrderAndNotTheSender) {
  Node& a = add_node("a");
  Node& b = add_node("b");
  Node& c = add_node("c");
  ASSERT_TRUE(run_until([&] { return all_up_and_seeing(3); }));
  EXPECT_EQ(a.bus->live_nodes(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(a.states, std::vector<BusState>{BusState::Up});

  std::vector<std::string> sent;
  for (int i = 0; i < 50; ++i) {
    sent.push_back("m" + std::to_string(i) + std::string(1, '\0') + "\nbinary");
    a.bus->publish(sent.back());
  }
  ASSERT_TRUE(run_until([&] { return b.messages.size() >= 50 && c.messages.size() >= 50; }));
  EXPECT_EQ(b.payloads(), sent);
  EXPECT_EQ(c.payloads(), sent);
  EXPECT_EQ(b.messages.front().first, "a");
  // b's marker is published after a's messages reached Redis: a would have had its own first.
  b.bus->publish("marker");
  ASSERT_TRUE(run_until([&] { return !a.messages.empty(); }));
  EXPECT_EQ(a.messages, (std::vector<std::pair<std::string, std::string>>{{"b", "marker"}}));
  EXPECT_EQ(a.bus->stats().published, 50u);
  EXPECT_EQ(c.bus->stats().received, 51u);
  EXPECT_EQ(a.bus->stats().dropped_while_down, 0u);
  EXPECT_GT(a.bus->stats().last_round_trip.count(), 0);
}

TEST_F(ClusterBusTest, PresenceIsReadByNodesThatComeUpAndByTheOthersOnNodeUp) {
  Node& a = add_node("a");
  a.bus->set_online("alice", true);  // before Up: written with the whole set
  a.bus->set_online("bob", true);
  ASSERT_TRUE(run_until([&] { return a.state() == BusState::Up; }));
  a.bus->set_online("carol", true);  // while Up: SADD, SREM
  a.bus->set_online("bob", false);
  ASSERT_TRUE(run_until([&] {
    const std::string members = redis_.command("SMEMBERS quicchat:online:a");
    return members.find("carol") != std::string::npos && members.find("bob") == std::string::npos;
  }));

  Node& b = add_node("b");
  b.bus->set_online("dave", true);
  ASSERT_TRUE(run_until([&] { return all_up_and_seeing(2) && !a.ups.empty(); }));
  auto seen_by_b = b.bus->remote_online();
  ASSERT_EQ(seen_by_b.size(), 1u);
  EXPECT_EQ(seen_by_b[0].first, "a");
  auto accounts = seen_by_b[0].second;
  std::sort(accounts.begin(), accounts.end());
  EXPECT_EQ(accounts, (std::vector<std::string>{"alice", "carol"}));
  EXPECT_EQ(b.ups, std::vector<std::string>{"a"});
  // a learns of b at its next scan and reads b's set before it says node_up.
  EXPECT_EQ(a.ups, std::vector<std::string>{"b"});
  auto seen_by_a = a.bus->remote_online();
  ASSERT_EQ(seen_by_a.size(), 1u);
  EXPECT_EQ(seen_by_a[0], (std::pair<std::string, std::vector<std::string>>{"b", {"dave"}}));
}

TEST_F(ClusterBusTest, ANodeThatStopsIsReportedDownWithinExpiryPlusOneInterval) {
  Node& a = add_node("a");
  Node& b = add_node("b");
  Node& c = add_node("c");
  c.bus->set_online("carol", true);
  ASSERT_TRUE(run_until([&] { return all_up_and_seeing(3) && a.ups.size() == 2; }));
  ASSERT_EQ(a.bus->remote_online().size(), 2u);

  c.bus.reset();  // no cleanup in Redis: its heartbeat just stops, as in a kill -9
  const auto died = Clock::now();
  ASSERT_TRUE(run_until([&] { return !a.downs.empty() && !b.downs.empty(); }, 5s));
  const auto took = since(died);
  EXPECT_LE(took, kExpiry + kInterval + kSlack) << "noticed after " << took.count() << " ms";
  EXPECT_GE(took, kExpiry - kInterval) << "reported before the key could expire";
  EXPECT_EQ(a.downs, std::vector<std::string>{"c"});
  EXPECT_EQ(b.downs, std::vector<std::string>{"c"});
  EXPECT_EQ(a.bus->live_nodes(), (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(a.bus->remote_online().size(), 1u);
  EXPECT_EQ(a.bus->remote_online()[0].first, "b");
  EXPECT_EQ(a.bus->stats().nodes_alive, 2u);
  // Whoever noticed first removed it from the node set.
  ASSERT_TRUE(
      run_until([&] { return redis_.command("SISMEMBER quicchat:nodes c").rfind(":0", 0) == 0; }));
  std::printf("node_down noticed after %lld ms (bound %lld ms)\n",
              static_cast<long long>(took.count()),
              static_cast<long long>((kExpiry + kInterval).count()));
}

TEST_F(ClusterBusTest, RedisKilledAndRestartedDownCountsDropsThenUpResubscribedPresenceRewritten) {
  Node& a = add_node("a");
  Node& b = add_node("b");
  a.bus->set_online("alice", true);
  ASSERT_TRUE(run_until([&] { return all_up_and_seeing(2); }));

  redis_.kill_hard();
  const auto killed = Clock::now();
  // Still Up as far as a knows: written into a dead connection, lost (and no SIGPIPE).
  a.bus->publish("in flight");
  ASSERT_TRUE(run_until([&] { return all_in(BusState::Down); }));
  const auto took = since(killed);
  EXPECT_LE(took, kInterval + kReplyTimeout + kSlack) << took.count() << " ms";
  EXPECT_EQ(a.states, (std::vector<BusState>{BusState::Up, BusState::Down}));
  a.bus->publish("lost 1");  // not Up: counted, not sent
  a.bus->publish("lost 2");
  a.bus->set_online("bert", true);  // while Down: only in the node's own set
  EXPECT_EQ(a.bus->stats().dropped_while_down, 2u);
  EXPECT_EQ(a.bus->stats().published, 1u);

  ASSERT_TRUE(redis_.restart()) << redis_.error();
  ASSERT_TRUE(run_until([&] { return all_up_and_seeing(2); }));
  EXPECT_EQ(a.states, (std::vector<BusState>{BusState::Up, BusState::Down, BusState::Up}));
  EXPECT_GE(a.bus->stats().reconnects, 1u);
  const std::string members = redis_.command("SMEMBERS quicchat:online:a");
  EXPECT_NE(members.find("alice"), std::string::npos) << members;
  EXPECT_NE(members.find("bert"), std::string::npos) << members;

  b.bus->publish("after the restart");  // resubscribed: it reaches a
  ASSERT_TRUE(run_until([&] { return !a.messages.empty(); }));
  EXPECT_EQ(a.payloads(), std::vector<std::string>{"after the restart"});
  // Redis came back empty; neither node may be reported down for registering a moment later.
  // A negative check: the loop runs past the grace (one expiry after Up) and a scan after it.
  (void)run_until([&] { return !a.downs.empty() || !b.downs.empty(); }, kExpiry + 2 * kInterval);
  EXPECT_TRUE(a.downs.empty());
  EXPECT_TRUE(b.downs.empty());
  EXPECT_EQ(a.bus->live_nodes().size(), 2u);
}

TEST_F(ClusterBusTest, AHungRedisIsDownByTheHeartbeatTimerAndUpAgainWhenItResumes) {
  Node& a = add_node("a");
  Node& b = add_node("b");
  ASSERT_TRUE(run_until([&] { return all_up_and_seeing(2); }));
  ASSERT_GT(redis_.pid(), 0);

  ASSERT_EQ(kill(redis_.pid(), SIGSTOP), 0);
  const auto stopped = Clock::now();
  ASSERT_TRUE(run_until([&] { return all_in(BusState::Down); }));
  const auto took = since(stopped);
  // The TCP connections stay open: only the heartbeat's deadline can tell.
  EXPECT_LE(took, kInterval + kReplyTimeout + kSlack) << took.count() << " ms";
  EXPECT_GE(took, kReplyTimeout / 2) << took.count() << " ms";

  ASSERT_EQ(kill(redis_.pid(), SIGCONT), 0);
  ASSERT_TRUE(run_until([&] { return all_up_and_seeing(2); }));
  b.bus->publish("resumed");
  ASSERT_TRUE(run_until([&] { return !a.messages.empty(); }));
  EXPECT_EQ(a.payloads(), std::vector<std::string>{"resumed"});
  std::printf("hung Redis noticed after %lld ms (bound %lld ms)\n",
              static_cast<long long>(took.count()),
              static_cast<long long>((kInterval + kReplyTimeout).count()));
}

// The tight ACL docs/OPERATIONS.md suggests: the bus needs nothing beyond it.
TEST_F(ClusterBusTest, AnAclUserLimitedToQuicchatsKeysChannelsAndCommandsIsEnough) {
  ASSERT_EQ(redis_.command("ACL SETUSER quicchat on >s3cret resetchannels &quicchat:* "
                           "~quicchat:* -@all +auth +ping +set +mget +sadd +srem +smembers +del "
                           "+pexpire +multi +exec +publish +subscribe"),
            "+OK\r\n");
  ASSERT_EQ(redis_.command("ACL SETUSER default off"), "+OK\r\n");
  for (const char* id : {"a", "b"}) {
    RedisConfig c = config(id);
    c.user = "quicchat";
    c.password = "s3cret";
    add_node(c);
  }
  nodes_["a"]->bus->set_online("alice", true);
  ASSERT_TRUE(run_until([&] { return all_up_and_seeing(2); }));
  nodes_["a"]->bus->publish("with acl");
  ASSERT_TRUE(run_until([&] { return !nodes_["b"]->messages.empty(); }));
  EXPECT_EQ(nodes_["b"]->payloads(), std::vector<std::string>{"with acl"});
  EXPECT_EQ(nodes_["b"]->states, std::vector<BusState>{BusState::Up});

  RedisConfig wrong = config("c");
  wrong.user = "quicchat";
  wrong.password = "wrong";
  auto bus = RedisBus::create(*loop_, wrong);
  ASSERT_TRUE(run_until([&] { return bus->stats().state == BusState::Down; }));
  EXPECT_EQ(nodes_["a"]->bus->live_nodes().size(), 2u);
}

TEST_F(ClusterBusTest, AnUnreachableRedisIsDownAndRetriedWithoutBlockingTheLoop) {
  RedisConfig c = config("lonely");
  c.port = itest::free_tcp_port();  // nothing listens there
  auto bus = RedisBus::create(*loop_, c);
  std::vector<BusState> states;
  Bus::Callbacks callbacks;
  callbacks.state = [&](BusState s) { states.push_back(s); };
  bus->set_callbacks(std::move(callbacks));
  ASSERT_TRUE(run_until([&] { return bus->stats().reconnects >= 3; }));
  EXPECT_EQ(states, std::vector<BusState>{BusState::Down});  // once, not once per attempt
  bus->publish("nowhere");
  EXPECT_EQ(bus->stats().dropped_while_down, 1u);
  struct sigaction pipe_action {};
  sigaction(SIGPIPE, nullptr, &pipe_action);
  EXPECT_EQ(pipe_action.sa_handler, SIG_IGN);  // a reset connection must not kill the node
}

}  // namespace
}  // namespace qc::cluster
