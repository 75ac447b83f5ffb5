// Three cores as the nodes of a cluster: one shared store (fake_store.h), and a bus that this
// test carries by hand (each node's Publish, encoded and decoded, to the others' bus_event), so
// that it can lose, hold back, reorder and repeat events as Redis pub/sub may.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "harness.h"

namespace qc::chat::testing {
namespace {

namespace v2 = proto::v2;
namespace bus = proto::bus;

constexpr std::size_t A = 0, B = 1, C = 2;

// The shared account store: the same names and ids on every node.
class Accounts final : public AccountDirectory {
 public:
  std::optional<AccountRef> find(std::string_view name) override {
    const std::vector<std::string> names{"alice", "bob", "cam", "dora"};
    for (std::size_t i = 0; i < names.size(); ++i)
      if (name_key(name) == names[i]) return AccountRef{i + 1, names[i]};
    return std::nullopt;
  }
};

CoreConfig node_config(const std::string& name) {
  CoreConfig c;
  c.node_id = name;
  c.store_messages = true;
  c.directory = std::make_shared<Accounts>();
  return c;
}

bool has(const Lines& lines, const std::string& prefix, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.rfind(prefix + " ", 0) == 0 && l.find(part) != std::string::npos;
  });
}
Lines msgs(const Lines& lines) {
  Lines out;
  for (const std::string& l : lines)
    if (l.find(R"("t":"msg")") != std::string::npos) out.push_back(l);
  return out;
}
std::size_t count(const Lines& lines, const std::string& part) {
  return static_cast<std::size_t>(
      std::count_if(lines.begin(), lines.end(),
                    [&](const std::string& l) { return l.find(part) != std::string::npos; }));
}

class Cluster : public ::testing::Test {
 protected:
  // Node i's configuration (a fixture may set a node's clock apart from the others').
  virtual CoreConfig config_of(std::size_t i) const { return node_config(name(i)); }
  void SetUp() override {
    for (std::size_t i = 0; i < 3; ++i) {
      nodes.push_back(std::make_unique<Harness>(config_of(i)));
      nodes.back()->shared_store = &store;
      nodes.back()->v1_counter = &v1_next;
      nodes.back()->accounts = {"alice", "bob", "cam", "dora"};  // the same ids on every node
    }
  }
  Harness& node(std::size_t i) { return *nodes[i]; }
  std::string name(std::size_t i) const { return std::string(1, static_cast<char>('a' + i)); }

  // Drains every node and carries what they published to the others until nothing moves; the
  // lines each node's outbox showed, in order.
  std::vector<Lines> pump() {
    std::vector<Lines> lines(nodes.size());
    for (bool moved = true; moved;) {
      moved = false;
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        for (std::string& l : node(i).drain()) lines[i].push_back(std::move(l));
        while (!node(i).published.empty()) {
          moved = true;
          bus::Event e = std::move(node(i).published.front());
          node(i).published.pop_front();
          if (lose_next[i]) {
            lose_next[i] = false;
            continue;
          }
          if (hold[i]) {
            held.emplace_back(i, bus::encode(e));
            continue;
          }
          carry(i, bus::encode(e));
        }
      }
    }
    return lines;
  }
  void carry(std::size_t from, const std::string& payload) {
    auto event = bus::decode(payload);
    ASSERT_TRUE(event.ok()) << payload;
    for (std::size_t j = 0; j < nodes.size(); ++j)
      if (j != from) node(j).core.bus_event(name(from), *event, node(j).now);
  }
  void release_held() {
    for (auto& [from, payload] : held) carry(from, payload);
    held.clear();
  }
  void advance(Duration d) {
    for (auto& n : nodes) n->advance(d);
  }
  void login(std::size_t i, ConnHandle conn, const std::string& user, const std::string& device) {
    node(i).join_v2(conn, user, device);
    pump();
  }

  FakeStore store;
  std::uint64_t v1_next = 0;  // Redis's v1:next
  std::vector<std::unique_ptr<Harness>> nodes;
  std::map<std::size_t, bool> lose_next, hold;
  std::vector<std::pair<std::size_t, std::string>> held;
};

TEST_F(Cluster, ADirectMessageReachesTheRecipientAndTheSendersOtherDeviceOnAnotherNode) {
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  login(B, 3, "alice", "phone");
  node(A).feed_frame(1, v2::Send{5, {"bob"}, {}, "hi", "c1"});
  const auto lines = pump();
  EXPECT_TRUE(has(lines[A], "1", R"("t":"ack","rid":5)")) << lines[A].size();
  EXPECT_TRUE(has(lines[A], "1", R"("sent":[{"to":"bob","conv":"d:1:2","id":1}])"))
      << "bob is online on b: not offline";
  EXPECT_EQ(count(lines[B], R"("t":"msg")"), 2u);
  EXPECT_TRUE(has(
      lines[B], "2",
      R"("t":"msg","conv":"d:1:2","id":1,"epoch":1,"ts":0,"from":"alice","to":["bob"],"text":"hi"})"));
  EXPECT_TRUE(has(lines[B], "3", R"("text":"hi","cid":"c1"})"));
  EXPECT_EQ(count(lines[C], R"("t":"msg")"), 0u);
  // bob answers from b: alice gets it on both nodes.
  node(B).feed_frame(2, v2::Send{6, {"alice"}, {}, "yo", ""});
  const auto back = pump();
  EXPECT_TRUE(
      has(back[A], "1", R"("id":2,"epoch":1,"ts":0,"from":"bob","to":["alice"],"text":"yo")"));
  EXPECT_TRUE(
      has(back[B], "3", R"("id":2,"epoch":1,"ts":0,"from":"bob","to":["alice"],"text":"yo")"));
  EXPECT_EQ(node(A).core.stats().bus_duplicates, 0u);
}

TEST_F(Cluster, RoomsAndTheirMessagesAreTheSameOnEveryNode) {
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  login(C, 4, "cam", "x");
  node(A).feed_frame(1, v2::Join{7, "#Team"});
  pump();
  EXPECT_EQ(node(B).core.stats().rooms, 1u);
  ASSERT_TRUE(node(C).core.room("#team"));
  EXPECT_EQ(node(C).core.room("#team")->summary.op, "alice");
  node(B).feed_frame(2, v2::Join{8, "#team"});
  const auto joined = pump();
  EXPECT_TRUE(
      has(joined[A], "1", R"("t":"room_event","room":"#Team","event":"join","user":"bob")"));
  EXPECT_EQ(node(C).core.room("#team")->summary.members, 2u);
  node(B).feed_frame(2, v2::Send{9, {}, "#team", "hello team", ""});
  const auto sent = pump();
  EXPECT_TRUE(has(sent[A], "1",
                  R"("conv":"#team","id":1,"epoch":1,"ts":0,"from":"bob","text":"hello team")"));
  EXPECT_EQ(count(sent[C], R"("t":"msg")"), 0u) << "cam is not a member";
  node(A).feed_frame(1, v2::SetTopic{10, "#team", "release"});
  const auto topic = pump();
  EXPECT_TRUE(
      has(topic[B], "2", R"("event":"topic","user":"alice","by":"alice","topic":"release")"));
  EXPECT_EQ(node(C).core.room("#team")->summary.topic, "release");
  node(B).feed_frame(2, v2::Leave{11, "#team"});
  const auto left = pump();
  EXPECT_TRUE(has(left[A], "1", R"("event":"leave","user":"bob")"));
  EXPECT_EQ(node(A).core.room("#team")->summary.members, 1u);
}

TEST_F(Cluster, ABroadcastReachesEveryNodesSessions) {
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  login(C, 4, "cam", "x");
  login(C, 5, "alice", "tab");
  node(A).feed_frame(1, v2::Send{5, {}, "all", "to all", "b1"});
  const auto lines = pump();
  EXPECT_TRUE(has(lines[B], "2",
                  R"("conv":"all","id":1,"epoch":1,"ts":0,"from":"alice","text":"to all"})"));
  EXPECT_TRUE(has(lines[C], "4",
                  R"("conv":"all","id":1,"epoch":1,"ts":0,"from":"alice","text":"to all"})"));
  EXPECT_TRUE(has(lines[C], "5", R"("text":"to all","cid":"b1"})"));
}

// b commits 2 and a commits 3 of the same conversation; 2's event reaches a late. (The first
// message a node sees of a conversation says where it starts: here 1, which both saw.)
TEST_F(Cluster, AMessageThatComesEarlyWaitsForTheOneBeforeIt) {
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  node(A).feed_frame(1, v2::Send{9, {"bob"}, {}, "zero", ""});
  pump();
  hold[B] = true;
  node(B).feed_frame(2, v2::Send{1, {"alice"}, {}, "first", ""});
  pump();
  hold[B] = false;
  node(A).feed_frame(1, v2::Send{2, {"bob"}, {}, "second", ""});
  const auto early = pump();
  EXPECT_TRUE(has(early[A], "1", R"("t":"ack","rid":2)"));
  EXPECT_EQ(count(early[A], R"("t":"msg")"), 0u);
  EXPECT_TRUE(has(early[B], "2", R"("id":3)")) << "b had 2: 3 follows at once";
  release_held();
  const auto released = pump();
  ASSERT_EQ(count(released[A], R"("t":"msg")"), 1u);
  EXPECT_TRUE(has(released[A], "1",
                  R"("id":2,"epoch":1,"ts":0,"from":"bob","to":["alice"],"text":"first")"));
  // alice's own copy of 3 would go to her other devices: she has none, so only 2 shows here.
  EXPECT_EQ(node(A).core.stats().bus_gaps_repaired, 0u);
}

// a never saw 1 (lost); alice's catch-up on a reads it, so a's 3 waits for b's 2 instead of
// being taken for where the conversation starts.
TEST_F(Cluster, ALoginCatchUpSaysWhereAConversationStartsOnANode) {
  login(B, 2, "bob", "desk");
  lose_next[B] = true;
  node(B).feed_frame(2, v2::Send{1, {"alice"}, {}, "one", ""});
  pump();
  login(A, 1, "alice", "lap");
  login(A, 4, "alice", "phone");
  hold[B] = true;
  node(B).feed_frame(2, v2::Send{2, {"alice"}, {}, "two", ""});
  pump();
  hold[B] = false;
  node(A).feed_frame(1, v2::Send{3, {"bob"}, {}, "three", "c3"});
  EXPECT_EQ(msgs(pump()[A]), Lines{});
  release_held();
  const Lines in_order = msgs(pump()[A]);
  ASSERT_EQ(in_order.size(), 3u);
  EXPECT_TRUE(has({in_order[0]}, "1", R"("id":2,)")) << in_order[0];
  EXPECT_TRUE(has({in_order[1]}, "4", R"("id":2,)")) << in_order[1];
  EXPECT_TRUE(has({in_order[2]}, "4", R"("id":3,)")) << in_order[2];
  EXPECT_TRUE(has({in_order[2]}, "4", R"("cid":"c3")")) << "the sender's other device's copy";
}

TEST_F(Cluster, ALostPublishIsReadFromTheStoreAfterTheBound) {
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  login(B, 3, "cam", "x");
  node(B).feed_frame(2, v2::Send{1, {}, "all", "one", ""});
  pump();
  lose_next[B] = true;
  node(B).feed_frame(2, v2::Send{2, {}, "all", "two", ""});
  pump();
  node(B).feed_frame(3, v2::Send{3, {}, "all", "three", ""});
  const auto held_back = pump();
  EXPECT_FALSE(has(held_back[A], "1", R"("text":"three")"));
  advance(199ms);
  EXPECT_EQ(msgs(pump()[A]), Lines{});
  advance(1ms);
  const Lines repaired = msgs(pump()[A]);
  ASSERT_EQ(repaired.size(), 2u);
  EXPECT_TRUE(has({repaired[0]}, "1", R"("id":2,"epoch":1,"ts":0,"from":"bob","text":"two")"))
      << repaired[0];
  EXPECT_TRUE(has({repaired[1]}, "1", R"("id":3,"epoch":1,"ts":0,"from":"cam","text":"three")"))
      << repaired[1];
  EXPECT_EQ(node(A).core.stats().bus_gaps_repaired, 1u);
  EXPECT_EQ(node(A).core.stats().bus_gaps_skipped, 0u);
}

TEST_F(Cluster, ARepeatedEventIsDroppedAsADuplicate) {
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  hold[B] = true;
  node(B).feed_frame(2, v2::Send{1, {"alice"}, {}, "once", ""});
  pump();
  ASSERT_EQ(held.size(), 1u);
  held.push_back(held.front());
  hold[B] = false;
  release_held();
  const auto lines = pump();
  EXPECT_EQ(count(lines[A], R"("text":"once")"), 1u);
  EXPECT_EQ(node(A).core.stats().bus_duplicates, 1u);
}

// The bus was down: the last messages were lost and nothing came after them to show it.
TEST_F(Cluster, TheBusComingBackReadsEveryConversationFromTheStore) {
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  node(B).feed_frame(2, v2::Send{1, {"alice"}, {}, "seen", ""});
  pump();
  lose_next[B] = true;
  node(B).feed_frame(2, v2::Send{2, {"alice"}, {}, "lost", ""});
  const auto lost = pump();
  EXPECT_FALSE(has(lost[A], "1", "lost"));
  node(A).core.bus_up({{"b", {"bob"}}}, node(A).now);
  const auto lines = pump();
  EXPECT_TRUE(has(lines[A], "1", R"("text":"lost")"));
  EXPECT_EQ(node(A).core.stats().bus_gaps_repaired, 1u);
}

// Room changes made on b while a's bus was down: a learns them when it is Up again, from the
// store, and its sessions get the room events they missed.
TEST_F(Cluster, TheBusComingBackReadsTheRoomsAgain) {
  store.account_names = {{1, "alice"}, {2, "bob"}, {3, "cam"}, {4, "dora"}};
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  node(A).feed_frame(1, v2::Join{7, "#team"});
  node(A).feed_frame(1, v2::SetTopic{8, "#team", "release"});
  pump();
  hold[B] = true;  // what b publishes now never reaches a
  node(B).feed_frame(2, v2::Join{9, "#team"});
  node(B).feed_frame(2, v2::Join{10, "#new"});
  pump();
  held.clear();
  hold[B] = false;
  EXPECT_EQ(node(A).core.room("#team")->summary.members, 1u);
  EXPECT_FALSE(node(A).core.room("#new"));

  node(A).core.bus_up({{"b", {"bob"}}}, node(A).now);
  const auto lines = pump();
  EXPECT_TRUE(has(lines[A], "1", R"("t":"room_event","room":"#team","event":"join","user":"bob")"))
      << ::testing::PrintToString(lines[A]);
  EXPECT_FALSE(has(lines[A], "1", R"("event":"topic")")) << "the topic did not change";
  EXPECT_EQ(node(A).core.room("#team")->summary.members, 2u);
  ASSERT_TRUE(node(A).core.room("#new"));
  EXPECT_EQ(node(A).core.room("#new")->summary.op, "bob");
}

// A room change made here while the rooms are read again may be missing from that read: the read
// is asked again rather than the change undone.
TEST_F(Cluster, ARoomChangeDuringTheReloadAsksForTheRoomsAgain) {
  store.account_names = {{1, "alice"}, {2, "bob"}};
  login(A, 1, "alice", "lap");
  node(A).auto_store = false;
  node(A).core.bus_up({{"b", {}}}, node(A).now);
  EXPECT_EQ(count(node(A).drain(), "READ rooms"), 1u);
  node(A).feed_frame(1, v2::Join{7, "#team"});  // its write waits behind the read
  node(A).drain();
  node(A).answer(1);  // the rooms as they were before the join
  ASSERT_TRUE(node(A).core.room("#team")) << "the join was undone by an older read";
  EXPECT_EQ(count(node(A).drain(), "READ rooms"), 1u);
  node(A).auto_store = true;
  node(A).release();
  ASSERT_TRUE(node(A).core.room("#team"));
  EXPECT_EQ(node(A).core.room("#team")->summary.members, 1u);
}

// Two nodes create the same room at once: each creates it in memory, the store takes one
// creation (a's, answered first). b's user is told it joined alice's room, and every node names
// alice its operator.
TEST_F(Cluster, ARoomCreatedAtOnceOnTwoNodesIsTheCreatorsTheStoreChose) {
  store.account_names = {{1, "alice"}, {2, "bob"}};
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  node(A).auto_store = false;
  node(B).auto_store = false;
  node(A).feed_frame(1, v2::Join{7, "#team"});
  node(B).feed_frame(2, v2::Join{8, "#Team"});
  node(A).drain();
  node(B).drain();
  node(A).auto_store = true;
  node(B).auto_store = true;
  const Lines won = node(A).release();
  const Lines lost = node(B).release();
  EXPECT_TRUE(has(won, "1", R"("t":"room","rid":7)"));
  EXPECT_TRUE(has(won, "1", R"("created":true)")) << ::testing::PrintToString(won);
  EXPECT_TRUE(has(lost, "2", R"("t":"room","rid":8)"));
  EXPECT_FALSE(has(lost, "2", R"("created":true)")) << ::testing::PrintToString(lost);
  EXPECT_TRUE(has(lost, "2", R"("op":"alice")")) << ::testing::PrintToString(lost);
  pump();
  for (std::size_t i : {A, B, C}) {
    ASSERT_TRUE(node(i).core.room("#team")) << i;
    EXPECT_EQ(node(i).core.room("#team")->summary.op, "alice") << i;
    EXPECT_EQ(node(i).core.room("#team")->summary.members, 2u) << i;
  }
}

TEST_F(Cluster, PresenceIsTheClustersAndANodeThatDiesTakesItsAccountsOffline) {
  login(B, 2, "bob", "desk");
  advance(100ms);
  pump();
  login(A, 1, "alice", "lap");
  advance(100ms);
  const auto first = pump();
  EXPECT_TRUE(has(first[B], "2", R"({"t":"presence","joined":["alice"]})"));
  EXPECT_EQ(node(B).core.stats().remote_online, 1u);
  // A second device on b changes nothing the cluster sees.
  login(B, 3, "alice", "phone");
  advance(100ms);
  EXPECT_FALSE(has(pump()[B], "2", R"("t":"presence")"));
  // A late login on c gets both in its snapshot.
  node(C).open_v2(4);
  const Lines snapshot = node(C).attempt_v2(4, "cam", "x");
  EXPECT_TRUE(has(snapshot, "4", R"("t":"presence","snapshot":true,"online":["alice","bob"])"))
      << (snapshot.size() > 1 ? snapshot[1] : "");
  pump();
  // a dies: alice is still on b; after b's device goes too she is offline.
  node(B).core.node_down("a", node(B).now);
  node(C).core.node_down("a", node(C).now);
  advance(100ms);
  EXPECT_FALSE(has(pump()[C], "4", R"("left")"));
  node(B).close(3);
  pump();
  advance(100ms);
  const auto gone = pump();
  EXPECT_TRUE(has(gone[C], "4", R"({"t":"presence","left":["alice"]})"));
  EXPECT_EQ(node(C).core.stats().remote_online, 1u);  // bob
}

TEST_F(Cluster, TheBusComingBackReplacesWhatIsKnownOfTheOtherNodes) {
  login(A, 1, "alice", "lap");
  login(B, 2, "bob", "desk");
  advance(100ms);
  pump();
  node(A).core.bus_up({{"b", {}}, {"c", {"dora"}}}, node(A).now);
  advance(100ms);
  const auto lines = pump();
  EXPECT_TRUE(has(lines[A], "1", R"({"t":"presence","joined":["dora"],"left":["bob"]})"))
      << (lines[A].empty() ? "" : lines[A].front());
}

TEST_F(Cluster, AKickEndsTheAccountsSessionsOnEveryNode) {
  login(A, 1, "alice", "lap");
  login(B, 3, "alice", "phone");
  login(C, 4, "bob", "desk");
  EXPECT_EQ(node(A).core.kick("alice", "spam", node(A).now), 1u);
  const auto lines = pump();
  EXPECT_TRUE(has(lines[A], "1", "CLOSE 8 kicked by the operator: spam"));
  EXPECT_TRUE(has(lines[B], "3", "CLOSE 8 kicked by the operator: spam"));
  EXPECT_EQ(node(C).core.stats().sessions, 1u);
}

TEST_F(Cluster, APasswordChangeEndsTheOtherSessionsOnEveryNode) {
  login(A, 1, "alice", "lap");
  login(B, 3, "alice", "phone");
  node(A).feed_frame(1, v2::Passwd{9, "pw-alice", "new-password"});
  const std::uint64_t ticket = node(A).last_account_ticket();
  node(A).drain();
  node(A).core.account_changed(1, ticket, AccountChange::Done, node(A).now);
  const auto lines = pump();
  EXPECT_TRUE(has(lines[A], "1", R"({"t":"ok","rid":9})"));
  EXPECT_TRUE(has(lines[B], "3", "CLOSE 10"));
}

TEST_F(Cluster, AServerOnItsOwnPublishesNothing) {
  Harness single;
  single.join_v2(1, "alice", "lap");
  single.join_v2(2, "bob", "desk");
  single.feed_frame(1, v2::Send{5, {"bob"}, {}, "hi", ""});
  single.drain();
  single.core.kick("bob", "", single.now);
  single.drain();
  EXPECT_TRUE(single.published.empty());
}

// --- v1 across nodes ---------------------------------------------------------------------------

class V1Cluster : public Cluster {
 protected:
  // A v1 session of `user` on node i (the account store's id, as the server's login gives it).
  // Every node's lines meanwhile; login_v1 gives node i's.
  std::vector<Lines> logins_v1(std::size_t i, ConnHandle conn, const std::string& user) {
    Harness& n = node(i);
    n.open(conn);
    n.feed(conn, login_pdu(user, "pw-" + user));
    const std::uint64_t ticket = n.last_ticket();
    n.drain();
    n.core.password_checked(conn, ticket, PasswordCheck::Ok, n.now, {n.account_id(user), user});
    return pump();
  }
  Lines login_v1(std::size_t i, ConnHandle conn, const std::string& user) {
    return logins_v1(i, conn, user)[i];
  }
};

TEST_F(V1Cluster, IdsAscendAcrossNodesAndListsShowEveryNodesUsers) {
  EXPECT_TRUE(has(login_v1(A, 1, "alice"), "1", "LOGIN_ACK 1:alice"));
  const Lines bob = login_v1(B, 2, "bob");
  EXPECT_TRUE(has(bob, "2", "LOGIN_ACK 1:alice,65:bob")) << "b's block starts after a's";
  const std::vector<Lines> heard = logins_v1(C, 3, "cam");
  EXPECT_TRUE(has(heard[C], "3", "LOGIN_ACK 1:alice,65:bob,129:cam"));
  EXPECT_TRUE(has(heard[A], "1", "LOGIN_BROADCAST 1:alice,65:bob,129:cam"));
  EXPECT_TRUE(has(heard[B], "2", "LOGIN_BROADCAST 1:alice,65:bob,129:cam"));
  // a's next id is above every id it heard of: the newcomer is last everywhere.
  EXPECT_TRUE(has(login_v1(A, 4, "dora"), "4", "LOGIN_ACK 1:alice,65:bob,129:cam,193:dora"));
  node(B).close(2);
  const auto left = pump();
  EXPECT_TRUE(has(left[A], "1", "LOGOUT_BROADCAST 1:alice,129:cam,193:dora"));
  EXPECT_TRUE(has(left[C], "3", "LOGOUT_BROADCAST 1:alice,129:cam,193:dora"));
  // bob again, on c: a new id, never one given before.
  EXPECT_TRUE(has(login_v1(C, 5, "bob"), "5", "LOGIN_ACK 1:alice,129:cam,193:dora,257:bob"));
}

TEST_F(V1Cluster, AV1LoginOfAnAccountOnAnotherNodeIsADuplicate) {
  login_v1(A, 1, "alice");
  const Lines again = login_v1(B, 2, "alice");
  EXPECT_TRUE(has(again, "2", "LOGIN_UNSUCCESSFUL_RETRY User already logged in"));
  EXPECT_EQ(node(B).core.stats().already_logged_in, 1u);
  login(C, 3, "bob", "desk");  // v2 devices are not limited to one
  EXPECT_TRUE(has(login_v1(A, 4, "bob"), "4", "LOGIN_UNSUCCESSFUL_RETRY User already logged in"));
}

TEST_F(V1Cluster, MessagesReachV1SessionsOnOtherNodesWithTheSendersId) {
  login_v1(A, 1, "alice");  // 1
  login_v1(B, 2, "bob");    // 65
  login_v1(C, 3, "cam");    // 129
  node(A).feed(1, pdu(MsgType::OneToOne, proto::encode_one_to_one({"65", "hi bob"})));
  auto lines = pump();
  EXPECT_TRUE(has(lines[B], "2", "ONE_TO_ONE alice(1): hi bob"));
  EXPECT_FALSE(has(lines[C], "3", "hi bob"));
  EXPECT_TRUE(lines[A].empty()) << lines[A].front();
  node(C).feed(3, pdu(MsgType::OneToMany, proto::encode_one_to_many({"1,65,7", "to many"})));
  lines = pump();
  EXPECT_TRUE(has(lines[A], "1", "ONE_TO_MANY cam(129): to many"));
  EXPECT_TRUE(has(lines[B], "2", "ONE_TO_MANY cam(129): to many"));
  EXPECT_TRUE(has(lines[C], "3", "MSG_UNSUCCESSFUL Target user not available"));
  node(B).feed(2, pdu(MsgType::Broadcast, proto::encode_broadcast({"to all"})));
  lines = pump();
  for (std::size_t i : {A, B, C})
    EXPECT_EQ(count(lines[i], "BROADCAST bob(65): to all"), 1u) << name(i);
}

TEST_F(V1Cluster, AV2SendersMessageReachesAV1SessionOnAnotherNode) {
  login(A, 1, "alice", "lap");
  login_v1(B, 2, "bob");
  node(A).feed_frame(1, v2::Send{5, {"bob"}, {}, "from v2", ""});
  const auto lines = pump();
  EXPECT_TRUE(has(lines[B], "2", "ONE_TO_ONE alice(1): from v2"));
}

// Each node maps its loop's clock to wall time on its own (to the millisecond, and machines'
// clocks differ), so a message sent right after a login on another node may carry a time a few
// milliseconds before that login: it is delivered all the same. One sent well before is not.
class SkewedV1Cluster : public V1Cluster {
 protected:
  CoreConfig config_of(std::size_t i) const override {
    CoreConfig c = node_config(name(i));
    if (i == B) c.clock_origin_unix_ms = 30;  // b's clock is 30 ms ahead of the others'
    return c;
  }
};

TEST_F(SkewedV1Cluster, AMessageSentJustAfterALoginElsewhereReachesItDespiteClockSkew) {
  login(A, 1, "alice", "lap");
  login_v1(B, 2, "bob");
  node(A).feed_frame(1, v2::Send{5, {"bob"}, {}, "right after", ""});
  EXPECT_TRUE(has(pump()[B], "2", "ONE_TO_ONE alice(1): right after"));
}

TEST_F(V1Cluster, AMessageSentWellBeforeAV1LoginElsewhereIsNotDeliveredToIt) {
  login(A, 1, "alice", "lap");
  node(A).feed_frame(1, v2::Send{5, {"bob"}, {}, "before", ""});
  node(A).drain();
  std::deque<bus::Event> late = std::move(node(A).published);  // the bus brings it late
  node(A).published.clear();
  for (auto& n : nodes) n->advance(std::chrono::seconds(2));
  login_v1(B, 2, "bob");
  for (auto& e : late) node(B).core.bus_event("a", std::move(e), node(B).now);
  EXPECT_FALSE(has(node(B).drain(), "2", "before"));
}

TEST_F(V1Cluster, WithoutIdsALoginIsRefusedAsWithNoStore) {
  node(A).v1_counter = nullptr;  // the bus does not answer by itself
  node(A).open(1);
  node(A).feed(1, login_pdu("alice", "pw-alice"));
  const std::uint64_t ticket = node(A).last_ticket();
  node(A).drain();
  node(A).core.password_checked(1, ticket, PasswordCheck::Ok, node(A).now, {1, "alice"});
  EXPECT_TRUE(has(node(A).drain(), "TAKE_V1_IDS", "64 above 0")) << "waits for a block";
  node(A).core.v1_ids_taken(std::nullopt, 64, node(A).now);
  EXPECT_TRUE(
      has(node(A).drain(), "1",
          "LOGIN_UNSUCCESSFUL_RETRY Login unavailable: the account store cannot be reached"));
  EXPECT_EQ(node(A).core.stats().store_unavailable_logins, 1u);
}

TEST_F(V1Cluster, AV1SessionGetsNoOtherNodesMessageSentBeforeItsLogin) {
  login_v1(A, 1, "alice");
  login_v1(B, 2, "bob");
  hold[A] = true;  // the bus brings a's message late
  node(A).feed(1, pdu(MsgType::Broadcast, proto::encode_broadcast({"early"})));
  pump();
  advance(1s);
  login_v1(B, 3, "cam");
  hold[A] = false;
  release_held();
  const auto lines = pump();
  EXPECT_TRUE(has(lines[B], "2", "BROADCAST alice(1): early"));
  EXPECT_FALSE(has(lines[B], "3", "early"));
}

}  // namespace
}  // namespace qc::chat::testing
