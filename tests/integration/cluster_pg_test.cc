// Three `quicchat server` nodes on the cluster's real engines: one Redis (bus and presence) and one
// PostgreSQL (accounts, rooms, history), both started here. Messages of every kind cross nodes with
// ids that PostgreSQL allocates, dense and ordered per conversation; PostgreSQL stopped and started
// under live sessions costs refused requests, never an acknowledged message. (The normal build
// only: most of its time is PostgreSQL's start.)
#include <gtest/gtest.h>

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

class ClusterOnPostgres : public ::testing::Test {
 protected:
  static constexpr int kNodes = 3;

  void SetUp() override {
    ASSERT_TRUE(redis.started()) << redis.error();
    ASSERT_TRUE(pg.started()) << pg.error();
    url = pg.new_database("chat");
    ASSERT_FALSE(url.empty()) << pg.error();
    for (int i = 0; i < kNodes; ++i) {
      ServerProcessOptions o;
      o.db = url;
      if (i > 0) o.accounts = {};  // the first node's import made them, for every node
      o.extra_args = {"--cluster",  redis.url(), "--node-id",   "n" + std::to_string(i + 1),
                      "--msg-rate", "100000",    "--msg-burst", "100000"};
      nodes.push_back(std::make_unique<ServerProcess>(o));
      ASSERT_TRUE(nodes.back()->started()) << nodes.back()->error();
    }
  }

  ServerProcess& node(int i) { return *nodes[static_cast<std::size_t>(i)]; }
  std::unique_ptr<V2Peer> login(int i, const std::string& user, const std::string& device = "") {
    return login_on(net, node(i), user, device);
  }

  // A login's answer on node `i`: "welcome", or the error frame's code.
  std::string login_answer(int i, const std::string& user) {
    auto peer = V2Peer::connect(net, {"127.0.0.1", node(i).port(), node(i).ca_file()});
    if (!peer || peer->negotiate() != v2::kVersion) return "no v2 session";
    peer->send(v2::Login{0, user, password_of(user), ""});
    auto frame = peer->next(15s);
    if (!frame) return "no answer";
    if (std::holds_alternative<v2::Welcome>(*frame)) return "welcome";
    if (auto* e = std::get_if<v2::Error>(&*frame)) return e->code;
    return "unexpected " + describe(*frame);
  }

  // `peer`'s history of its direct conversation with `with`: the ids and texts, oldest first.
  static std::vector<std::pair<std::uint64_t, std::string>> history_with(V2Peer& peer,
                                                                         const std::string& with) {
    const v2::RequestId rid = peer.send(v2::History{0, "", with, std::nullopt, std::nullopt, 0});
    std::vector<std::pair<std::uint64_t, std::string>> read;
    auto page = peer.expect<v2::Page>();
    if (!page) return read;
    EXPECT_EQ(page->rid, rid);
    for (const v2::Msg& m : page->msgs) read.emplace_back(m.id, m.text);
    return read;
  }

  RedisProcess redis;
  PostgresProcess pg;
  std::string url;
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  Net net;
};

std::vector<std::uint64_t> ids_of(const std::vector<v2::Ack>& acks) {
  std::vector<std::uint64_t> ids;
  for (const v2::Ack& a : acks)
    for (const v2::Sent& s : a.sent) ids.push_back(s.id);
  return ids;
}

// Sends `text` to `conv` and returns its ack's id; messages that come before the ack are added to
// `got` (room events are skipped).
std::optional<std::uint64_t> send_collecting(V2Peer& peer, const std::string& conv,
                                             const std::string& text,
                                             std::vector<std::uint64_t>& got) {
  const v2::RequestId rid = peer.send(v2::Send{0, {}, conv, text, ""});
  while (auto frame = peer.next()) {
    if (auto* m = std::get_if<v2::Msg>(&*frame)) got.push_back(m->id);
    if (auto* a = std::get_if<v2::Ack>(&*frame)) {
      EXPECT_EQ(a->rid, rid);
      return a->sent.empty() ? std::nullopt : std::optional<std::uint64_t>(a->sent[0].id);
    }
  }
  return std::nullopt;
}

// Reads messages of `conv` until `got` has as many as `want`, then compares.
void expect_ids(V2Peer& peer, const std::string& conv, std::vector<std::uint64_t>& got,
                const std::vector<std::uint64_t>& want) {
  while (got.size() < want.size()) {
    auto m = next_msg(peer);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->conv, conv);
    got.push_back(m->id);
  }
  EXPECT_EQ(got, want);
}

TEST_F(ClusterOnPostgres, EveryKindOfMessageCrossesNodesWithDenseOrderedIds) {
  auto alice = login(0, "alice");
  auto bob = login(1, "bob");
  auto cam = login(2, "cam");
  ASSERT_TRUE(alice && bob && cam);

  // Direct, both ways between n1 and n2: one conversation, ids 1..4.
  std::vector<v2::Ack> direct;
  for (int i = 0; i < 4; ++i) {
    V2Peer& from = i % 2 == 0 ? *alice : *bob;
    auto ack = say(from, {i % 2 == 0 ? "bob" : "alice"}, "", "d" + std::to_string(i));
    ASSERT_TRUE(ack);
    direct.push_back(*ack);
    auto got = next_msg(i % 2 == 0 ? *bob : *alice);
    ASSERT_TRUE(got) << node(i % 2 == 0 ? 1 : 0).log();
    EXPECT_EQ(got->id, ack->sent.at(0).id);
    EXPECT_EQ(got->text, "d" + std::to_string(i));
  }
  EXPECT_EQ(ids_of(direct), (std::vector<std::uint64_t>{1, 2, 3, 4}));

  // A room with a member on each node, then a broadcast from each node; each sends once: ids
  // 1..3 in each conversation, and everyone gets the others' in order. Room events and the
  // others' messages may come before a sender's ack.
  for (V2Peer* p : {alice.get(), bob.get(), cam.get()}) ASSERT_TRUE(joins(*p, "#ops"));
  const std::vector<V2Peer*> peers = {alice.get(), bob.get(), cam.get()};
  for (const std::string conv : {"#ops", "all"}) {
    std::map<V2Peer*, std::vector<std::uint64_t>> got;
    std::vector<std::uint64_t> acked;
    for (V2Peer* p : peers) {
      auto id = send_collecting(*p, conv, "to " + conv, got[p]);
      ASSERT_TRUE(id) << conv;
      acked.push_back(*id);
    }
    EXPECT_EQ(acked, (std::vector<std::uint64_t>{1, 2, 3})) << conv;
    expect_ids(*alice, conv, got[alice.get()], {2, 3});
    expect_ids(*bob, conv, got[bob.get()], {1, 3});
    expect_ids(*cam, conv, got[cam.get()], {1, 2});
  }
}

// PostgreSQL stopped under three nodes' live sessions: logins get store_failed, sends a typed
// refusal (no ack, no id taken), the sessions stay; started again: the same sessions send and
// receive, and the history has every acknowledged message, by id.
TEST_F(ClusterOnPostgres, PostgresStoppedAndStartedLosesNothingAcknowledged) {
  auto alice = login(0, "alice");
  auto bob = login(1, "bob");
  auto cam = login(2, "cam");
  ASSERT_TRUE(alice && bob && cam);
  auto before = say(*alice, {"bob"}, "", "before the stop");
  ASSERT_TRUE(before);
  ASSERT_TRUE(next_msg(*bob));

  ASSERT_TRUE(pg.stop()) << pg.log();
  for (int i = 0; i < kNodes; ++i) EXPECT_EQ(login_answer(i, "cam"), "store_failed") << i;
  // A broadcast needs no account lookup: the store's refusal is the answer.
  alice->send(v2::Send{0, {}, "all", "while stopped", ""});
  auto refused = alice->expect<v2::Error>(15s);
  ASSERT_TRUE(refused) << node(0).log();
  EXPECT_EQ(refused->code, "store_failed");
  // A direct message to an account on another node looks its name up first; a lookup that
  // fails is store_failed for that name, not no_such_user: refused, nothing acked.
  cam->send(v2::Send{0, {"bob"}, "", "while stopped", ""});
  refused = cam->expect<v2::Error>(15s);
  ASSERT_TRUE(refused) << node(2).log();
  EXPECT_EQ(refused->code, "store_failed");
  ASSERT_EQ(refused->errors.size(), 1u);
  EXPECT_EQ(refused->errors[0].code, "store_failed");
  EXPECT_TRUE(node(0).wait_for_log("code=db_unavailable", 5s)) << node(0).log();
  for (V2Peer* p : {alice.get(), bob.get(), cam.get()}) {
    EXPECT_TRUE(p->sync().empty());  // still connected, and nothing was delivered
    EXPECT_FALSE(p->closed());
  }

  ASSERT_TRUE(pg.restart()) << pg.error();
  auto after = say(*alice, {"bob"}, "", "after the start");
  ASSERT_TRUE(after) << node(0).log();
  auto got = next_msg(*bob);
  ASSERT_TRUE(got) << node(1).log();
  EXPECT_EQ(got->text, "after the start");
  auto reply = say(*bob, {"alice"}, "", "bob again");
  ASSERT_TRUE(reply) << node(1).log();
  got = next_msg(*alice);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->text, "bob again");
  EXPECT_EQ(login_answer(2, "cam"), "welcome");

  using Read = std::vector<std::pair<std::uint64_t, std::string>>;
  const Read want = {{1, "before the stop"}, {2, "after the start"}, {3, "bob again"}};
  EXPECT_EQ(history_with(*bob, "alice"), want);
  EXPECT_EQ(history_with(*alice, "bob"), want);
}

}  // namespace
}  // namespace qc::itest
