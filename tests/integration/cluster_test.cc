// Three `quicchat server` nodes as one chat server: one real Redis (the bus and presence) started
// here, one shared store (the SQLite file of the first node: every node opens it; the PostgreSQL
// store has its own tests), each node on its own port. Users on different nodes talk as if on
// one server, and what a node or Redis loses is repaired from the store by message id.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/cluster_peers.h"
#include "support/engines.h"
#include "support/server_process.h"
#include "support/v2_peer.h"

namespace qc::itest {
namespace {

using namespace std::chrono_literals;

class Cluster : public ::testing::Test {
 protected:
  static constexpr int kNodes = 3;

  void SetUp() override {
    ASSERT_TRUE(redis.started()) << redis.error();
    for (int i = 0; i < kNodes; ++i) {
      nodes.push_back(std::make_unique<ServerProcess>(node_options(i)));
      ASSERT_TRUE(nodes.back()->started()) << nodes.back()->error();
    }
  }

  ServerProcessOptions node_options(int i) const {
    ServerProcessOptions o;
    o.extra_args = {"--cluster",  redis.url(), "--node-id",   "n" + std::to_string(i + 1),
                    "--msg-rate", "100000",    "--msg-burst", "100000"};
    if (i > 0) {  // the first node's database is the cluster's store
      o.extra_args.push_back("--db");
      o.extra_args.push_back(nodes[0]->db_file());
    }
    return o;
  }

  std::unique_ptr<V2Peer> login(int node, const std::string& user, const std::string& device = "",
                                std::vector<v2::Since> since = {}) {
    return login_on(net, *nodes[static_cast<std::size_t>(node)], user, device, std::move(since));
  }

  ServerProcess& node(int i) { return *nodes[static_cast<std::size_t>(i)]; }

  RedisProcess redis;
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  Net net;
};

TEST_F(Cluster, EveryNodeSaysWhichNodeItIs) {
  for (int i = 0; i < kNodes; ++i)
    EXPECT_TRUE(node(i).wait_for_log("(node n" + std::to_string(i + 1) + ")", 1s)) << node(i).log();
}

TEST_F(Cluster, ADirectMessageCrossesNodes) {
  auto alice = login(0, "alice");
  auto bob = login(1, "bob");
  ASSERT_TRUE(alice && bob);
  auto ack = say(*alice, {"bob"}, "", "hello from n1");
  ASSERT_TRUE(ack);
  ASSERT_EQ(ack->sent.size(), 1u);
  auto got = bob->expect<v2::Msg>();
  ASSERT_TRUE(got) << node(1).log();
  EXPECT_EQ(got->from, "alice");
  EXPECT_EQ(got->text, "hello from n1");
  EXPECT_EQ(got->id, ack->sent[0].id);
  EXPECT_EQ(got->conv, ack->sent[0].conv);
}

TEST_F(Cluster, RoomAndBroadcastMessagesReachEveryNode) {
  auto alice = login(0, "alice");
  auto bob = login(1, "bob");
  auto cam = login(2, "cam");
  ASSERT_TRUE(alice && bob && cam);
  ASSERT_TRUE(joins(*alice, "#ops"));
  ASSERT_TRUE(joins(*bob, "#ops"));
  ASSERT_TRUE(joins(*cam, "#ops"));
  auto cam_joined = bob->expect<v2::RoomEvent>();  // from node 3, through the bus
  ASSERT_TRUE(cam_joined);
  EXPECT_EQ(cam_joined->user, "cam");
  ASSERT_TRUE(say(*bob, {}, "#ops", "room from n2"));
  for (V2Peer* peer : {alice.get(), cam.get()}) {
    std::optional<v2::Msg> got;
    // Room events (bob and cam joined) may come first.
    for (int i = 0; i < 4 && !got; ++i) {
      auto frame = peer->next();
      ASSERT_TRUE(frame);
      if (auto* m = std::get_if<v2::Msg>(&*frame)) got = *m;
    }
    ASSERT_TRUE(got);
    EXPECT_EQ(got->conv, "#ops");
    EXPECT_EQ(got->text, "room from n2");
  }
  ASSERT_TRUE(say(*cam, {}, "all", "everyone, from n3"));
  for (V2Peer* peer : {alice.get(), bob.get()}) {
    auto got = peer->expect<v2::Msg>();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->conv, "all");
    EXPECT_EQ(got->from, "cam");
  }
}

TEST_F(Cluster, PresenceIsClusterWide) {
  auto bob = login(1, "bob");
  ASSERT_TRUE(bob);
  auto alice = login(0, "alice");
  ASSERT_TRUE(alice);
  EXPECT_TRUE(alice->online().count("bob")) << "alice's snapshot lacks bob on another node";
  EXPECT_TRUE(bob->await_online([](const auto& online) { return online.count("alice") > 0; }));
  alice->send(v2::Logout{});
  EXPECT_TRUE(bob->await_online([](const auto& online) { return online.count("alice") == 0; }));
}

TEST_F(Cluster, OneAccountsDevicesOnTwoNodesBothGetItsMessages) {
  auto phone = login(0, "alice", "phone");
  auto laptop = login(2, "alice", "laptop");
  auto bob = login(1, "bob");
  ASSERT_TRUE(phone && laptop && bob);
  ASSERT_TRUE(say(*bob, {"alice"}, "", "to both devices"));
  for (V2Peer* device : {phone.get(), laptop.get()}) {
    auto got = device->expect<v2::Msg>();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->text, "to both devices");
  }
  ASSERT_TRUE(say(*phone, {"bob"}, "", "from the phone", "p-1"));
  auto copy = laptop->expect<v2::Msg>();  // the sender's other device, on another node
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->text, "from the phone");
  EXPECT_EQ(copy->cid, "p-1");
  ASSERT_TRUE(bob->expect<v2::Msg>());
}

// A node that dies: the others mark its users offline within the heartbeat bound (3 s expiry and
// a 1 s tick), and its users log in on another node and get what was sent while they moved.
TEST_F(Cluster, ANodeKilledIsNoticedAndItsUsersResumeElsewhere) {
  auto alice = login(0, "alice");
  auto bob = login(1, "bob", "bobs-phone");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(say(*alice, {"bob"}, "", "before the kill"));
  auto first = bob->expect<v2::Msg>();
  ASSERT_TRUE(first);
  ASSERT_TRUE(alice->await_online([](const auto& online) { return online.count("bob") > 0; }));

  node(1).kill_hard();
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(alice->await_online([](const auto& online) { return online.count("bob") == 0; }, 8s))
      << node(0).log();
  const auto noticed = std::chrono::steady_clock::now() - killed;
  std::printf("node death noticed after %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(noticed).count()));
  EXPECT_LT(noticed, 6s);

  auto ack = say(*alice, {"bob"}, "", "while bob moves");
  ASSERT_TRUE(ack);
  auto moved = login(2, "bob", "bobs-phone", {{first->conv, first->id}});
  ASSERT_TRUE(moved);
  std::vector<std::string> texts;
  for (const v2::Page& page : moved->caught_up())
    for (const v2::Msg& m : page.msgs) texts.push_back(m.text);
  EXPECT_EQ(texts, std::vector<std::string>{"while bob moves"});
}

// Redis lost mid-traffic: the nodes go on serving their own users, and what crossed no bus while
// it was away is repaired from the store once it is back: every message exactly once, in order.
TEST_F(Cluster, ARedisRestartLosesAndDuplicatesNothing) {
  auto alice = login(0, "alice");
  auto bob = login(1, "bob");
  ASSERT_TRUE(alice && bob);
  constexpr int kMessages = 30;
  std::vector<std::uint64_t> acked;
  for (int i = 0; i < kMessages; ++i) {
    if (i == kMessages / 3) redis.kill_hard();
    if (i == 2 * kMessages / 3) {
      ASSERT_TRUE(redis.restart()) << redis.error();
    }
    auto ack = say(*alice, {"bob"}, "", "m" + std::to_string(i));
    ASSERT_TRUE(ack);
    ASSERT_EQ(ack->sent.size(), 1u);
    acked.push_back(ack->sent[0].id);
  }
  std::vector<std::uint64_t> got;
  std::vector<std::string> texts;
  while (got.size() < acked.size()) {
    auto m = bob->expect<v2::Msg>(15s);
    ASSERT_TRUE(m) << "bob got " << got.size() << " of " << acked.size() << "\n" << node(1).log();
    got.push_back(m->id);
    texts.push_back(m->text);
  }
  EXPECT_EQ(got, acked);
  for (int i = 0; i < kMessages; ++i)
    EXPECT_EQ(texts[static_cast<std::size_t>(i)], "m" + std::to_string(i));
  auto extra = bob->sync();  // nothing after them: no duplicate
  EXPECT_TRUE(extra.empty());
  // What was published while Redis was away never crossed the bus: bob's node read it from the
  // store, and says so.
  EXPECT_TRUE(node(1).wait_for_log("cluster_gap_repaired", 1s)) << node(1).log();
}

// Redis lost exactly between a message's store and its publish. Redis frozen (SIGSTOP): node 1
// stores and acks the message, and its bus, still Up (a heartbeat has 2 s to be answered), writes
// the publish to a socket that Redis never reads. Redis killed: the kernel drops the unread bytes
// with the socket, so that publish can reach no one, and a Redis started on the same port starts
// empty. Bob's node must get the message from the store (the repair on Up), once and in order.
TEST_F(Cluster, AMessageStoredButNeverPublishedComesFromTheStoreOnce) {
  auto alice = login(0, "alice");
  auto bob = login(1, "bob");
  ASSERT_TRUE(alice && bob);
  auto first = say(*alice, {"bob"}, "", "through the bus");
  ASSERT_TRUE(first);
  ASSERT_TRUE(bob->expect<v2::Msg>());  // bob's node now follows the conversation

  ASSERT_EQ(kill(redis.pid(), SIGSTOP), 0);
  auto lost = say(*alice, {"bob"}, "", "stored, never published");
  ASSERT_TRUE(lost);
  ASSERT_EQ(lost->sent.size(), 1u);
  // The publish went to hiredis while the bus was Up (it was not dropped as undeliverable).
  EXPECT_EQ(node(0).log().find("cluster_bus_state state=down"), std::string::npos) << node(0).log();
  redis.kill_hard();
  ASSERT_TRUE(redis.restart()) << redis.error();

  auto got = bob->expect<v2::Msg>(15s);
  ASSERT_TRUE(got) << node(1).log();
  EXPECT_EQ(got->id, lost->sent[0].id);
  EXPECT_EQ(got->text, "stored, never published");
  const std::string id = std::to_string(lost->sent[0].id);
  EXPECT_TRUE(node(1).wait_for_log("from=" + id + " to=" + id, 5s)) << node(1).log();
  EXPECT_NE(node(1).log().find("cluster_gap_repaired"), std::string::npos);

  // The bus carries the next one again; nothing came twice.
  ASSERT_TRUE(node(0).wait_for_log_count("cluster_bus_state state=up", 2, 10s)) << node(0).log();
  auto next = say(*alice, {"bob"}, "", "after the restart");
  ASSERT_TRUE(next);
  auto then = bob->expect<v2::Msg>(15s);
  ASSERT_TRUE(then) << node(1).log();
  EXPECT_EQ(then->id, lost->sent[0].id + 1);
  EXPECT_EQ(then->text, "after the restart");
  EXPECT_TRUE(bob->sync().empty());
}

// Rooms changed on node 2 while the bus was down (Redis killed): bob joins alice's room and
// creates another. Once Redis is back, node 1 reads the rooms from the store again: alice gets
// the join she missed, and cam, joining bob's room on node 1, joins it (bob's), not creates it.
TEST_F(Cluster, RoomsChangedWhileTheBusWasDownAreReadAgainOnUp) {
  auto alice = login(0, "alice");
  auto bob = login(1, "bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(joins(*alice, "#ops"));
  ASSERT_TRUE(node(1).wait_for_log("cluster_bus_state state=up", 5s));

  redis.kill_hard();
  ASSERT_TRUE(node(0).wait_for_log("cluster_bus_state state=down", 10s)) << node(0).log();
  ASSERT_TRUE(node(1).wait_for_log("cluster_bus_state state=down", 10s)) << node(1).log();
  ASSERT_TRUE(joins(*bob, "#ops"));
  ASSERT_TRUE(joins(*bob, "#bobs"));
  ASSERT_TRUE(redis.restart()) << redis.error();
  ASSERT_TRUE(node(0).wait_for_log("cluster_rooms_reloaded", 15s)) << node(0).log();

  auto missed = alice->expect<v2::RoomEvent>();
  ASSERT_TRUE(missed) << node(0).log();
  EXPECT_EQ(missed->room, "#ops");
  EXPECT_EQ(missed->event, "join");
  EXPECT_EQ(missed->user, "bob");
  const v2::RequestId rid = alice->send(v2::ListMembers{0, "#ops"});
  auto members = alice->expect<v2::MemberList>();
  ASSERT_TRUE(members);
  EXPECT_EQ(members->rid, rid);
  EXPECT_EQ(members->members, (std::vector<std::string>{"alice", "bob"}));

  auto cam = login(0, "cam");
  ASSERT_TRUE(cam);
  cam->send(v2::Join{0, "#bobs"});
  auto joined = cam->expect<v2::Room>();
  ASSERT_TRUE(joined) << node(0).log();
  EXPECT_FALSE(joined->created);
  EXPECT_EQ(joined->info.op, "bob");
  EXPECT_EQ(joined->info.members, 2u);
}

// A node whose bus stays down while the others' come Up (its Redis user turned off): it stores
// and acks a message, whose publish is dropped, after bob's node has already read the store on
// Up. Once its bus is Up again it sends the conversation's last such message, and bob gets it
// once, without waiting for the conversation's next message.
TEST_F(Cluster, AMessageStoredWhileItsNodesBusWasDownReachesTheOthersWhenItIsUpAgain) {
  ASSERT_NE(redis.command("ACL SETUSER n4 on >n4-secret ~quicchat:* &* +@all"), "");
  const std::string password_file = node(0).dir() + "/n4-redis-password";
  { std::ofstream(password_file) << "n4-secret\n"; }
  ASSERT_EQ(chmod(password_file.c_str(), 0600), 0);
  ServerProcessOptions o = node_options(3);
  o.extra_args[1] = "redis://n4@127.0.0.1:" + redis.url().substr(redis.url().rfind(':') + 1);
  o.extra_args.push_back("--cluster-password-file");
  o.extra_args.push_back(password_file);
  ServerProcess n4(o);
  ASSERT_TRUE(n4.started()) << n4.error();
  ASSERT_TRUE(n4.wait_for_log("cluster_bus_state state=up", 10s)) << n4.log();

  auto alice = login_on(net, n4, "alice");
  auto bob = login(1, "bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(say(*alice, {"bob"}, "", "through the bus"));
  ASSERT_TRUE(bob->expect<v2::Msg>());  // bob's node now follows the conversation

  ASSERT_NE(redis.command("ACL SETUSER n4 off"), "");
  ASSERT_NE(redis.command("CLIENT KILL USER n4"), "");
  ASSERT_TRUE(n4.wait_for_log("cluster_bus_state state=down", 10s)) << n4.log();
  auto dropped = say(*alice, {"bob"}, "", "stored while n4's bus was down");
  ASSERT_TRUE(dropped);
  ASSERT_EQ(dropped->sent.size(), 1u);

  ASSERT_NE(redis.command("ACL SETUSER n4 on"), "");
  auto got = bob->expect<v2::Msg>(15s);
  ASSERT_TRUE(got) << node(1).log();
  EXPECT_TRUE(n4.wait_for_log("cluster_republished conversations=1", 1s)) << n4.log();
  EXPECT_EQ(got->id, dropped->sent[0].id);
  EXPECT_EQ(got->text, "stored while n4's bus was down");
  auto next = say(*alice, {"bob"}, "", "and the next");
  ASSERT_TRUE(next);
  auto then = bob->expect<v2::Msg>(15s);
  ASSERT_TRUE(then) << node(1).log();
  EXPECT_EQ(then->id, dropped->sent[0].id + 1);
  EXPECT_TRUE(bob->sync().empty());  // nothing twice
}

}  // namespace
}  // namespace qc::itest
