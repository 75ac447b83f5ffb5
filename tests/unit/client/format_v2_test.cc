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
                                  PresenceSnapshot{{"a"}}};
  for (const Event& e : all) {
    for (const std::string& line : event_json(e, kNow)) {
      EXPECT_EQ(line.find('\n'), std::string::npos) << line;
      EXPECT_TRUE(line.starts_with(R"({"type": ")")) << line;
      EXPECT_TRUE(line.ends_with("}")) << line;
    }
  }
}

}  // namespace
}  // namespace qc::client
