// Rooms, history, offline delivery and resume against a real server process (history on, the
// default): what the server acknowledged is stored, survives a restart and a kill -9, and reaches
// a user who was away at its next login, exactly once and in order.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "support/server_process.h"
#include "support/v2_peer.h"

namespace qc::itest {
namespace {

class History : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server.started()) << server.error(); }

  std::unique_ptr<V2Peer> login(const std::string& user, const std::string& password,
                                std::vector<v2::Since> since = {}) {
    auto peer = V2Peer::connect(net, {"127.0.0.1", server.port(), server.ca_file()});
    EXPECT_TRUE(peer);
    if (!peer) return nullptr;
    auto welcome = peer->login(user, password, "", std::move(since));
    EXPECT_TRUE(welcome) << server.log();
    return welcome ? std::move(peer) : nullptr;
  }

  // Sends `frame` and expects the answer T naming its rid.
  template <class T>
  std::optional<T> ask(V2Peer& peer, v2::Frame frame) {
    const v2::RequestId rid = peer.send(std::move(frame));
    auto answer = peer.expect<T>();
    if (answer) {
      EXPECT_EQ(answer->rid, rid);
    }
    return answer;
  }

  // The page of the catch-up for `conv`, or nullptr.
  static const v2::Page* caught_up_in(const V2Peer& peer, const std::string& conv) {
    for (const v2::Page& page : peer.caught_up())
      if (page.conv == conv) return &page;
    return nullptr;
  }

  // The kill -9 test sends a burst; the per-session message rate is not what it tests.
  static ServerProcessOptions options() {
    ServerProcessOptions o;
    o.extra_args = {"--msg-rate", "100000", "--msg-burst", "100000"};
    return o;
  }
  ServerProcess server{options()};
  Net net;
};

TEST_F(History, ARoomAndItsHistoryOutliveARestart) {
  auto alice = login("alice", "p1");
  auto bob = login("bob", "p2");
  ASSERT_TRUE(alice && bob);
  auto room = ask<v2::Room>(*alice, v2::Join{0, "#Team"});
  ASSERT_TRUE(room);
  EXPECT_TRUE(room->created);
  EXPECT_EQ(room->conv, "#team");
  EXPECT_EQ(room->info.op, "alice");
  ASSERT_TRUE(alice->expect<v2::Page>());  // the join's (empty) history
  ASSERT_TRUE(ask<v2::Room>(*bob, v2::Join{0, "#team"}));
  ASSERT_TRUE(bob->expect<v2::Page>());
  auto joined = alice->expect<v2::RoomEvent>();
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->event, "join");
  EXPECT_EQ(joined->user, "bob");

  alice->send(v2::Send{0, {}, "#team", "first", "c-1"});
  auto ack = alice->expect<v2::Ack>();
  ASSERT_TRUE(ack);
  ASSERT_EQ(ack->sent.size(), 1u);
  EXPECT_EQ(ack->sent[0].conv, "#team");
  EXPECT_EQ(ack->sent[0].id, 1u);
  auto got = bob->expect<v2::Msg>();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->conv, "#team");
  EXPECT_EQ(got->id, 1u);
  EXPECT_EQ(got->text, "first");

  alice.reset();
  bob.reset();
  ASSERT_EQ(server.terminate(), 0) << server.log();
  ASSERT_TRUE(server.restart_after_kill()) << server.error();

  bob = login("bob", "p2");
  alice = login("alice", "p1");
  ASSERT_TRUE(alice && bob);
  auto page = ask<v2::Page>(*bob, v2::History{0, "#team", "", {}, {}, 0});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->msgs.size(), 1u);
  EXPECT_EQ(page->msgs[0].text, "first");
  EXPECT_EQ(page->msgs[0].from, "alice");
  // Membership was stored: bob still gets the room's messages, with the next id.
  alice->send(v2::Send{0, {}, "#team", "second", "c-2"});
  ASSERT_TRUE(alice->expect<v2::Ack>());
  got = bob->expect<v2::Msg>();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, 2u);
  EXPECT_EQ(got->epoch, ack->epoch) << "stored ids keep their epoch across restarts";
}

TEST_F(History, WhatWasSentWhileAwayArrivesAtTheNextLoginOnEveryDevice) {
  auto alice = login("alice", "p1");
  ASSERT_TRUE(alice);
  for (int i = 1; i <= 3; ++i) {
    alice->send_to({"bob"}, "offline " + std::to_string(i));
    auto ack = alice->expect<v2::Ack>();
    ASSERT_TRUE(ack);
    ASSERT_EQ(ack->sent.size(), 1u);
    EXPECT_TRUE(ack->sent[0].offline);
  }
  for (const char* device : {"phone", "laptop"}) {
    auto bob = V2Peer::connect(net, {"127.0.0.1", server.port(), server.ca_file()});
    ASSERT_TRUE(bob);
    ASSERT_TRUE(bob->login("bob", "p2", device));
    ASSERT_EQ(bob->caught_up().size(), 1u) << device;
    const v2::Page& page = bob->caught_up()[0];
    EXPECT_EQ(page.conv, "d:1:2");
    ASSERT_EQ(page.msgs.size(), 3u) << device;
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(page.msgs[i].id, i + 1);
      EXPECT_EQ(page.msgs[i].text, "offline " + std::to_string(i + 1));
    }
    EXPECT_EQ(page.unread, 3u);
  }
}

TEST_F(History, AReadCursorIsSharedByTheAccountsDevices) {
  auto alice = login("alice", "p1");
  ASSERT_TRUE(alice);
  alice->send_to({"bob"}, "one");
  ASSERT_TRUE(alice->expect<v2::Ack>());
  alice->send_to({"bob"}, "two");
  ASSERT_TRUE(alice->expect<v2::Ack>());
  auto phone = login("bob", "p2");
  ASSERT_TRUE(phone);
  ASSERT_TRUE(ask<v2::Ok>(*phone, v2::Read{0, "d:1:2", 1}));
  auto laptop = login("bob", "p2");
  ASSERT_TRUE(laptop);
  const v2::Page* page = caught_up_in(*laptop, "d:1:2");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->read, 1u);
  EXPECT_EQ(page->unread, 1u);
  ASSERT_TRUE(ask<v2::Ok>(*laptop, v2::Read{0, "d:1:2", 2}));
  auto cursor = phone->expect<v2::Cursor>();
  ASSERT_TRUE(cursor);
  EXPECT_EQ(cursor->conv, "d:1:2");
  EXPECT_EQ(cursor->id, 2u);
}

// Every message the server acknowledged before a kill -9 is in the store after it: the ack
// leaves only after the commit's fsync.
TEST_F(History, AKillDashNineLosesNoAcknowledgedMessage) {
  constexpr int kMessages = 200;
  auto alice = login("alice", "p1");
  ASSERT_TRUE(alice);
  std::map<std::string, std::uint64_t> acked;  // cid -> id
  for (int i = 0; i < kMessages; ++i)
    alice->send_to({"bob"}, "n" + std::to_string(i), "k" + std::to_string(i));
  for (int i = 0; i < kMessages / 2; ++i) {  // half of the acks, then the kill
    auto ack = alice->expect<v2::Ack>();
    ASSERT_TRUE(ack);
    acked[ack->cid] = ack->sent.at(0).id;
  }
  server.kill_hard();
  alice.reset();
  ASSERT_TRUE(server.restart_after_kill()) << server.error();
  auto bob = V2Peer::connect(net, {"127.0.0.1", server.port(), server.ca_file()});
  ASSERT_TRUE(bob);
  ASSERT_TRUE(bob->login("bob", "p2"));
  std::map<std::uint64_t, std::string> stored;
  const v2::Page* page = caught_up_in(*bob, "d:1:2");
  ASSERT_NE(page, nullptr);
  for (const v2::Msg& m : page->msgs) stored[m.id] = m.cid;
  std::uint64_t expected_id = 1;
  for (const auto& [id, cid] : stored) EXPECT_EQ(id, expected_id++) << "ids are dense";
  for (const auto& [cid, id] : acked) {
    ASSERT_TRUE(stored.count(id)) << "acknowledged " << cid << " (id " << id << ") was lost";
    EXPECT_EQ(stored[id], cid);
  }
  std::printf("acknowledged before the kill: %zu, stored after it: %zu of %d sent\n",
              acked.size(), stored.size(), kMessages);
}

// Resume: a client that names the last id it saw gets only what came after it; a re-send of an
// acknowledged message (same cid) after a restart is acknowledged as a duplicate, not stored twice.
TEST_F(History, ResumeFromTheLastSeenIdWithoutGapOrDuplicate) {
  auto alice = login("alice", "p1");
  ASSERT_TRUE(alice);
  for (int i = 1; i <= 5; ++i) {
    alice->send_to({"bob"}, "m" + std::to_string(i), "r" + std::to_string(i));
    ASSERT_TRUE(alice->expect<v2::Ack>());
  }
  server.kill_hard();
  alice.reset();
  ASSERT_TRUE(server.restart_after_kill()) << server.error();
  alice = login("alice", "p1");
  ASSERT_TRUE(alice);
  alice->send_to({"bob"}, "m5", "r5");
  auto again = alice->expect<v2::Ack>();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  ASSERT_EQ(again->sent.size(), 1u);
  EXPECT_EQ(again->sent[0].id, 5u);

  auto bob = login("bob", "p2", {{"d:1:2", 3}});
  ASSERT_TRUE(bob);
  const v2::Page* page = caught_up_in(*bob, "d:1:2");
  ASSERT_NE(page, nullptr);
  ASSERT_EQ(page->msgs.size(), 2u);
  EXPECT_EQ(page->msgs[0].id, 4u);
  EXPECT_EQ(page->msgs[1].id, 5u);
}

TEST_F(History, RoomRulesAreTypedErrors) {
  auto alice = login("alice", "p1");
  auto bob = login("bob", "p2");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(ask<v2::Room>(*alice, v2::Join{0, "#ops"}));
  ASSERT_TRUE(alice->expect<v2::Page>());
  auto expect_error = [&](V2Peer& peer, v2::Frame frame, std::string_view code) {
    const v2::RequestId rid = peer.send(std::move(frame));
    auto error = peer.expect<v2::Error>();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->rid, rid);
    EXPECT_EQ(error->code, code) << error->text;
  };
  expect_error(*bob, v2::Join{0, "no-hash"}, v2::code::kBadRoomName);
  expect_error(*bob, v2::Send{0, {}, "#ops", "hi", ""}, v2::code::kNotMember);
  expect_error(*bob, v2::History{0, "#ops", "", {}, {}, 0}, v2::code::kNotMember);
  expect_error(*bob, v2::SetTopic{0, "#ops", "mine"}, v2::code::kNotOperator);
  expect_error(*bob, v2::History{0, "d:1:3", "", {}, {}, 0}, v2::code::kNoSuchConv);
  ASSERT_TRUE(ask<v2::Room>(*bob, v2::Join{0, "#ops"}));
  ASSERT_TRUE(bob->expect<v2::Page>());
  ASSERT_TRUE(alice->expect<v2::RoomEvent>());  // bob joined
  expect_error(*bob, v2::SetTopic{0, "#ops", "mine"}, v2::code::kNotOperator);
  expect_error(*bob, v2::RemoveMember{0, "#ops", "alice"}, v2::code::kNotOperator);
  ASSERT_TRUE(ask<v2::Ok>(*alice, v2::RemoveMember{0, "#ops", "bob"}));
  auto removed = bob->expect<v2::RoomEvent>();
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->event, "remove");
  EXPECT_EQ(removed->by, "alice");
}

}  // namespace
}  // namespace qc::itest
