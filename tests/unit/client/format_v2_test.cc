// v2 display lines (HH:MM with a fixed timezone) and --json lines.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "client/format_v2.h"
#include "client/json_events.h"

namespace qc::client {
namespace {

namespace v2 = proto::v2;

constexpr std::int64_t kTs = 1764650000000;     // 2025-12-02 04:33:20 UTC
constexpr std::int64_t kNow = kTs + 3'600'000;  // 05:33

class V2Display : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  std::optional<std::string> saved_;
};

Message msg(std::string conv, std::string from, std::vector<std::string> to, std::string text) {
  Message m;
  m.kind = conv == "all" ? MessageKind::Broadcast : MessageKind::OneToOne;
  m.sender_name = std::move(from);
  m.text = std::move(text);
  m.conv = std::move(conv);
  m.id = 12;
  m.epoch = 1;
  m.ts = kTs;
  m.to = std::move(to);
  return m;
}

using Lines = std::vector<std::string>;

TEST_F(V2Display, ClockIsLocalHoursAndMinutes) {
  EXPECT_EQ(format_clock(kTs), "04:33");
  setenv("TZ", "CET-1", 1);
  tzset();
  EXPECT_EQ(format_clock(kTs), "05:33");
}

TEST_F(V2Display, MessagesCarryTheServerTime) {
  EXPECT_EQ(format_v2_lines(msg("@alice,bob", "alice", {"bob"}, "hi"), kNow),
            Lines{"04:33 [1-1 Msg] alice: hi"});
  EXPECT_EQ(format_v2_lines(msg("all", "alice", {}, "hey\x1b[2J"), kNow),
            Lines{"04:33 [Broad Msg] alice: hey[2J"});
  Message own = msg("@bob,cam", "bob", {"cam"}, "yo");
  own.own = true;
  EXPECT_EQ(format_v2_lines(own, kNow), Lines{"04:33 [1-1 Msg] you -> cam: yo"});
}

TEST_F(V2Display, PendingThenAckedThenFailed) {
  const OutgoingSend send{2, "t-1", {"alice", "zed"}, "", "hi"};
  EXPECT_EQ(with_clock(kNow, pending_text(send)), "05:33 … [1-n Msg] you -> alice, zed: hi");
  Acked ack;
  ack.send = send;
  ack.ts = kTs;
  ack.sent = {{"alice", "@alice,bob", 7, true}};
  ack.errors = {{"zed", "no_such_user", "no account named zed"}};
  EXPECT_EQ(format_v2_lines(ack, kNow),
            (Lines{"04:33 [1-1 Msg] you -> alice: hi (offline: alice)",
                   "04:33 [Err] Not sent to zed: no account named zed"}));
  RequestError error{2, "rate_limited", "slow down", {}, OutgoingSend{3, "t-2", {}, "all", "x"}};
  EXPECT_EQ(format_v2_lines(error, kNow),
            Lines{"05:33 [Err] Not sent (slow down): [Broad Msg] you: x"});
}

TEST_F(V2Display, PresenceLines) {
  EXPECT_EQ(format_v2_lines(PresenceSnapshot{{"alice", "bob"}}, kNow),
            Lines{"05:33 [Sys] Online: alice, bob"});
  EXPECT_EQ(format_v2_lines(PresenceChanged{{"cam"}, {"bob"}}, kNow),
            (Lines{"05:33 [Sys] bob left", "05:33 [Sys] cam joined"}));
}

TEST_F(V2Display, V1EventsGetTheClockToo) {
  EXPECT_EQ(format_v2_lines(LoggedOut{"Logout successful"}, kNow),
            Lines{"05:33 [Sys] Logout successful"});
  EXPECT_EQ(format_v2_lines(Welcome{"alice", 7, "d", kTs}, kNow),
            Lines{"04:33 [Sys] Login successful. You are alice."});
}

TEST(JsonEvents, OneObjectPerEventType) {
  EXPECT_EQ(
      event_json(msg("@alice,bob", "alice", {"bob"}, "hi \"q\""), kNow),
      Lines{
          R"({"type": "message", "ts": 1764650000000, "kind": "1-1", "conv": "@alice,bob", "id": 12, "epoch": 1, "from": "alice", "to": ["bob"], "text": "hi \"q\""})"});
  Message v1;
  v1.kind = MessageKind::Broadcast;
  v1.sender_id = 3;
  v1.sender_name = "cam";
  v1.text = "x";
  EXPECT_EQ(
      event_json(v1, kNow),
      Lines{
          R"({"type": "message", "ts": 1764653600000, "kind": "broadcast", "from": "cam", "from_id": 3, "text": "x"})"});
  Acked ack;
  ack.send = {2, "t-1", {"alice"}, "", "hi"};
  ack.ts = kTs;
  ack.epoch = 1;
  ack.sent = {{"alice", "@alice,bob", 7, false}};
  EXPECT_EQ(
      event_json(ack, kNow),
      Lines{
          R"({"type": "ack", "ts": 1764650000000, "rid": 2, "client_id": "t-1", "to": ["alice"], "text": "hi", "epoch": 1, "sent": [{"to": "alice", "conv": "@alice,bob", "id": 7, "offline": false}], "duplicate": false})"});
  EXPECT_EQ(event_json(PresenceChanged{{"cam"}, {}}, kNow),
            Lines{R"({"type": "presence", "ts": 1764653600000, "joined": ["cam"], "left": []})"});
  EXPECT_EQ(event_json(RequestError{std::nullopt, "bad_frame", "bad", {}, std::nullopt}, kNow),
            Lines{R"({"type": "error", "ts": 1764653600000, "code": "bad_frame", "text": "bad"})"});
  EXPECT_EQ(
      event_json(ServerError{"Target user not available"}, kNow),
      Lines{
          R"({"type": "error", "ts": 1764653600000, "code": "msg_unsuccessful", "text": "Target user not available"})"});
  EXPECT_EQ(
      system_json("connecting", "Connecting to h:1...", kNow),
      R"({"type": "system", "ts": 1764653600000, "code": "connecting", "text": "Connecting to h:1..."})");
  EXPECT_EQ(
      event_json(UsersJoined{{{1, "alice"}}}, kNow),
      Lines{
          R"({"type": "presence", "ts": 1764653600000, "code": "login", "users": [{"id": 1, "name": "alice"}]})"});
}

TEST(JsonEvents, EveryEventIsOneLineOfJson) {
  const std::vector<Event> all = {Connected{"quicchat", "a"},
                                  VersionSelected{2},
                                  VersionRejected{"no"},
                                  LoginOk{{{1, "a\nb"}}, 1},
                                  LoginRetry{"x", ""},
                                  LoginRejected{"y", ""},
                                  UsersLeft{{}},
                                  LoggedOut{"bye"},
                                  ProtocolViolation{"p"},
                                  PathChanged{"b"},
                                  ConnectionClosed{false, 0, "peer", "gone", {"0: x"}},
                                  Welcome{"a", 1, "d", kTs},
                                  PresenceSnapshot{{"a"}},
                                  RoomJoined{1, {"#T", "t\n", "a", 1, true}, "#t", true},
                                  RoomsListed{2, {{"#T", "", "a", 1, false}}, ""},
                                  MembersListed{3, "#t", "a", {"a"}, {}},
                                  RoomChanged{"#t", "topic", "a", "", "x"},
                                  RequestDone{4, Done::Left, "#t", "", "", 0},
                                  HistoryPage{5, PageOrigin::History, "#t", "#t", {}, true},
                                  CatchUpDone{{{"#t", "#t", 2}}},
                                  CursorMoved{"#t", 3}};
  for (const Event& e : all) {
    for (const std::string& line : event_json(e, kNow)) {
      EXPECT_EQ(line.find('\n'), std::string::npos) << line;
      EXPECT_TRUE(line.starts_with(R"({"type": ")")) << line;
      EXPECT_TRUE(line.ends_with("}")) << line;
    }
  }
}

Message room_msg(std::uint64_t id, std::string from, std::string text) {
  Message m = msg("#team", std::move(from), {}, std::move(text));
  m.kind = MessageKind::Room;
  m.id = id;
  return m;
}

TEST_F(V2Display, RoomMessagesAndOwnRoomSends) {
  EXPECT_EQ(format_v2_lines(room_msg(3, "alice", "hi all"), kNow),
            Lines{"04:33 #team <alice> hi all"});
  Message own = room_msg(4, "bob", "from the phone");
  own.own = true;
  EXPECT_EQ(format_v2_lines(own, kNow), Lines{"04:33 #team <you> from the phone"});
  const OutgoingSend send{3, "t-1", {}, "#team", "yo"};
  EXPECT_EQ(pending_text(send), "… #team <you> yo");
  Acked ack;
  ack.send = send;
  ack.ts = kTs;
  ack.sent = {{"", "#team", 9, false}};
  EXPECT_EQ(format_v2_lines(ack, kNow), Lines{"04:33 #team <you> yo"});
  RequestError refused{3, "not_member", "you are not in #team", {}, send};
  EXPECT_EQ(format_v2_lines(refused, kNow),
            Lines{"05:33 [Err] Not sent (you are not in #team): #team <you> yo"});
}

TEST_F(V2Display, HistoryIsMarkedCatchUpIsNot) {
  HistoryPage page{7,
                   PageOrigin::History,
                   "#team",
                   "#team",
                   {room_msg(1, "alice", "old"), room_msg(2, "cam", "older\x1b[2J")},
                   true};
  page.msgs[1].ts = kTs - 86'400'000 + 60'000;
  EXPECT_EQ(format_v2_lines(page, kNow),
            (Lines{"04:33 [History] #team <alice> old", "04:34 [History] #team <cam> older[2J",
                   "05:33 [Sys] End of history of #team (2 messages; older ones exist)"}));
  page.msgs.clear();
  EXPECT_EQ(format_v2_lines(page, kNow), Lines{"05:33 [Sys] No history in #team"});
  page.origin = PageOrigin::Join;
  EXPECT_TRUE(format_v2_lines(page, kNow).empty()) << "a new room's empty page says nothing";
  HistoryPage catch_up{std::nullopt,
                       PageOrigin::CatchUp,
                       "d:1:2",
                       "@alice",
                       {msg("d:1:2", "alice", {"bob"}, "missed")},
                       false,
                       3};
  EXPECT_EQ(format_v2_lines(catch_up, kNow),
            (Lines{"04:33 [1-1 Msg] alice: missed",
                   "05:33 [Sys] 3 older messages in @alice expired before you could get them"}));
}

TEST_F(V2Display, RoomsMembersEventsAndUnread) {
  const v2::RoomInfo team{"#Team", "release friday", "alice", 3, true};
  const v2::RoomInfo ops{"#ops", "", "cam", 1, false};
  EXPECT_EQ(format_v2_lines(RoomJoined{1, team, "#team", false}, kNow),
            Lines{"05:33 [Sys] Joined #Team (3 members, operator alice, topic: release friday)"});
  EXPECT_EQ(format_v2_lines(RoomJoined{1, ops, "#ops", true}, kNow),
            Lines{"05:33 [Sys] Created #ops: you are its operator"});
  EXPECT_EQ(format_v2_lines(RoomsListed{2, {team, ops}, ""}, kNow),
            (Lines{"05:33 [Sys] #Team: 3 members, operator alice, topic: release friday (joined)",
                   "05:33 [Sys] #ops: 1 member, operator cam"}));
  EXPECT_EQ(format_v2_lines(RoomsListed{2, {}, ""}, kNow),
            Lines{"05:33 [Sys] No rooms yet (/join #name creates one)"});
  EXPECT_EQ(format_v2_lines(RoomsListed{2, {team, ops}, "#team"}, kNow),
            Lines{"05:33 [Sys] Topic of #Team: release friday"});
  EXPECT_EQ(format_v2_lines(RoomsListed{2, {team, ops}, "#ops"}, kNow),
            Lines{"05:33 [Sys] #ops has no topic"});
  EXPECT_EQ(format_v2_lines(RoomsListed{2, {team}, "#zzz"}, kNow),
            Lines{"05:33 [Err] No room #zzz"});
  EXPECT_EQ(format_v2_lines(MembersListed{3, "#team", "alice", {"alice", "bob"}, {"bob"}}, kNow),
            Lines{"05:33 [Sys] Members of #team: alice (operator), bob; online: bob"});
  EXPECT_EQ(format_v2_lines(RoomChanged{"#team", "join", "cam", "", ""}, kNow),
            Lines{"05:33 [Sys] cam joined #team"});
  EXPECT_EQ(format_v2_lines(RoomChanged{"#team", "remove", "bob", "alice", ""}, kNow),
            Lines{"05:33 [Sys] bob was removed from #team by alice"});
  EXPECT_EQ(format_v2_lines(RoomChanged{"#team", "topic", "alice", "", "ship it"}, kNow),
            Lines{"05:33 [Sys] alice set the topic of #team: ship it"});
  EXPECT_EQ(format_v2_lines(RoomChanged{"#team", "topic", "alice", "", ""}, kNow),
            Lines{"05:33 [Sys] alice cleared the topic of #team"});
  EXPECT_EQ(format_v2_lines(RequestDone{4, Done::Left, "#team", "", "", 0}, kNow),
            Lines{"05:33 [Sys] You left #team"});
  EXPECT_TRUE(format_v2_lines(RequestDone{4, Done::Read, "", "", "#team", 9}, kNow).empty());
  EXPECT_EQ(format_v2_lines(RequestDone{5, Done::TopicSet, "#team", "", "", 0, "ship"}, kNow),
            Lines{"05:33 [Sys] Topic of #team set: ship"});
  EXPECT_EQ(format_v2_lines(RequestDone{5, Done::TopicSet, "#team", "", "", 0, ""}, kNow),
            Lines{"05:33 [Sys] Topic of #team cleared"});
  EXPECT_EQ(format_v2_lines(CatchUpDone{{{"#team", "#team", 3}, {"d:1:2", "@bob", 1}}}, kNow),
            Lines{"05:33 [Sys] Unread: #team 3, @bob 1"});
  EXPECT_EQ(format_v2_lines(CatchUpDone{}, kNow), Lines{"05:33 [Sys] No unread messages"});
  EXPECT_TRUE(format_v2_lines(CursorMoved{"#team", 3}, kNow).empty());
}

TEST(JsonEvents, RoomsHistoryAndUnread) {
  EXPECT_EQ(
      event_json(RoomJoined{1, {"#Team", "x", "alice", 2, true}, "#team", false}, kNow),
      Lines{
          R"({"type": "room", "ts": 1764653600000, "code": "joined", "rid": 1, "room": "#Team", "topic": "x", "op": "alice", "members": 2, "member": true, "conv": "#team", "created": false})"});
  HistoryPage history{7,       PageOrigin::History,           "#team",
                      "#team", {room_msg(1, "alice", "old")}, true};
  EXPECT_EQ(
      event_json(history, kNow),
      (Lines{
          R"({"type": "history", "ts": 1764650000000, "kind": "room", "conv": "#team", "id": 1, "epoch": 1, "from": "alice", "text": "old"})",
          R"({"type": "page", "ts": 1764653600000, "rid": 7, "origin": "history", "conv": "#team", "label": "#team", "count": 1, "more": true, "expired": 0, "unread": 0, "read": 0})"}));
  HistoryPage catch_up{std::nullopt,
                       PageOrigin::CatchUp,
                       "#team",
                       "#team",
                       {room_msg(2, "cam", "new")},
                       false,
                       0,
                       1,
                       1};
  EXPECT_EQ(
      event_json(catch_up, kNow)[0],
      R"({"type": "message", "ts": 1764650000000, "kind": "room", "conv": "#team", "id": 2, "epoch": 1, "from": "cam", "text": "new", "catch_up": true})");
  EXPECT_EQ(
      event_json(CatchUpDone{{{"d:1:2", "@bob", 2}}}, kNow),
      Lines{
          R"({"type": "unread", "ts": 1764653600000, "unread": [{"conv": "d:1:2", "label": "@bob", "count": 2}]})"});
  EXPECT_EQ(event_json(CursorMoved{"#team", 9}, kNow),
            Lines{R"({"type": "read", "ts": 1764653600000, "conv": "#team", "id": 9})"});
  EXPECT_EQ(
      event_json(RoomChanged{"#team", "remove", "bob", "alice", ""}, kNow),
      Lines{
          R"({"type": "room", "ts": 1764653600000, "code": "event", "room": "#team", "event": "remove", "user": "bob", "by": "alice"})"});
  EXPECT_EQ(
      event_json(RequestDone{4, Done::Removed, "#team", "bob", "", 0}, kNow),
      Lines{
          R"({"type": "room", "ts": 1764653600000, "code": "removed", "rid": 4, "room": "#team", "user": "bob"})"});
  EXPECT_TRUE(event_json(RequestDone{5, Done::Read, "", "", "#team", 3}, kNow).empty());
}

}  // namespace
}  // namespace qc::client
