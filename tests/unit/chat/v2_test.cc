// Protocol v2 in the core: negotiation and the switch of framing, login with devices, presence
// as coalesced events, message ids and acknowledgements, client ids, and v1 and v2 sessions
// sharing one server.
#include <gtest/gtest.h>

#include "chat/presence.h"
#include "harness.h"

namespace qc::chat::testing {
namespace {

namespace v2 = proto::v2;

// A frame from its body, as a bot would write it.
std::string raw_frame(std::string_view body) {
  std::string out(4, '\0');
  const auto n = static_cast<std::uint32_t>(body.size());
  for (int i = 0; i < 4; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>(n >> (24 - 8 * i));
  return out.append(body);
}

CoreConfig v2_config() {
  CoreConfig c;
  // "dora" is an account that is not online.
  c.directory = std::make_shared<OneAccountDirectory>(AccountRef{40, "Dora"});
  c.max_devices = 3;
  c.client_id_window = std::chrono::seconds(10);
  return c;
}

class CoreV2 : public ::testing::Test {
 protected:
  // Runs the presence flush and returns what it sent.
  Lines flush() {
    h.advance(h.core.stats().v2_sessions > 0 ? 50ms : 0ms);
    return h.drain();
  }
  Harness h{v2_config()};
};

TEST_F(CoreV2, VersionsSelectsTwoOnlyWhereOfferedAndOnlyFirst) {
  h.open(1);
  h.feed(1, versions_pdu({1, 2}));
  EXPECT_EQ(h.drain(), (Lines{"1 VERSIONS selected 2"}));
  h.core.connection_opened(2, "127.0.0.1:2", h.now, std::nullopt, /*offers_v2=*/false);
  h.feed(2, versions_pdu({1, 2}));
  EXPECT_EQ(h.drain(), (Lines{"2 VERSIONS selected 1"}));
  h.open(3);  // a v1 client's LOGIN first: the session stays v1
  h.attempt(3, "cam", true);
  h.feed(3, versions_pdu({1, 2}));
  EXPECT_EQ(h.drain(), (Lines{"3 VERSIONS selected 1"}));
}

// The login frame may arrive in the same chunk as the VERSIONS PDU that selects v2.
TEST_F(CoreV2, FramingSwitchesInsideAChunk) {
  h.open(1);
  h.feed(1, versions_pdu({1, 2}) + v2::encode_frame(v2::Login{7, "alice", "pw", "lap"}));
  EXPECT_EQ(h.drain(), (Lines{"1 VERSIONS selected 2", "1 VERIFY alice/pw"}));
}

TEST_F(CoreV2, LoginGetsWelcomeAndSnapshotThenOthersSeeTheChangeAtTheFlush) {
  h.join_v2(1, "alice", "lap");
  flush();
  h.open_v2(2);
  EXPECT_EQ(h.attempt_v2(2, "bob", "phone", 9),
            (Lines{R"(2 {"t":"welcome","rid":9,"user":"bob","account":2,"device":"phone","ts":50})",
                   R"(2 {"t":"presence","snapshot":true,"online":["alice"]})",
                   R"(2 {"t":"synced","rid":9})"}));  // no message store: nothing to catch up
  EXPECT_EQ(flush(), (Lines{R"(1 {"t":"presence","joined":["bob"]})",
                            R"(2 {"t":"presence","joined":["bob"]})"}));
}

// A storm of logins costs each online session one presence frame per flush.
TEST_F(CoreV2, PresenceChangesAreCoalescedPerFlush) {
  h.join_v2(1, "alice");
  flush();
  h.join_v2(2, "bob");
  h.join_v2(3, "cam");
  h.join_v2(4, "dan");
  h.close(4);  // joined and left within one flush: not mentioned
  h.drain();
  EXPECT_EQ(flush(), (Lines{R"(1 {"t":"presence","joined":["bob","cam"]})",
                            R"(2 {"t":"presence","joined":["bob","cam"]})",
                            R"(3 {"t":"presence","joined":["bob","cam"]})"}));
  h.close(3);
  h.drain();
  EXPECT_EQ(flush(), (Lines{R"(1 {"t":"presence","left":["cam"]})",
                            R"(2 {"t":"presence","left":["cam"]})"}));
  EXPECT_EQ(flush(), Lines{});
}

// With many sessions the flushes space out (here 40 ms per session stands in for 20 us).
TEST(CoreV2Presence, FlushesSpaceOutWithTheNumberOfSessions) {
  CoreConfig config;
  config.presence_interval_per_session = std::chrono::milliseconds(40);
  Harness h(config);
  h.join_v2(1, "alice");  // one session: the flush is max(50 ms, 40 ms) away
  h.advance(50ms);
  h.drain();
  h.join_v2(2, "bob");  // two sessions: the next flush is 80 ms away
  h.drain();
  h.advance(79ms);
  EXPECT_EQ(h.drain(), Lines{});
  h.advance(1ms);
  EXPECT_EQ(h.drain(), (Lines{R"(1 {"t":"presence","joined":["bob"]})",
                              R"(2 {"t":"presence","joined":["bob"]})"}));
}

// A flush to many sessions is written out a slice at a time, presence_slice_gap apart, the
// loop's other work in between.
TEST(CoreV2Presence, AFlushGoesOutInSlicesSpacedByTheGap) {
  CoreConfig config;
  config.presence_slice = 2;
  config.presence_slice_gap = 5ms;
  Harness h(config);
  for (ConnHandle c = 1; c <= 4; ++c) h.join_v2(c, "u" + std::to_string(c));
  h.drain();
  h.advance(50ms);
  EXPECT_EQ(h.drain(), (Lines{R"(1 {"t":"presence","joined":["u1","u2","u3","u4"]})",
                              R"(2 {"t":"presence","joined":["u1","u2","u3","u4"]})"}));
  EXPECT_TRUE(h.core.stats().presence_pending);
  EXPECT_EQ(h.core.next_deadline(), h.now + 5ms);  // the next slice, not at once
  h.advance(4ms);
  EXPECT_EQ(h.drain(), Lines{});
  h.close(3);  // closed meanwhile: left out of this flush
  h.advance(1ms);
  EXPECT_EQ(h.drain(), (Lines{R"(4 {"t":"presence","joined":["u1","u2","u3","u4"]})"}));
  h.advance(50ms);  // u3's leaving: the next flush, after the first was written out
  EXPECT_EQ(h.drain(),
            (Lines{R"(1 {"t":"presence","left":["u3"]})", R"(2 {"t":"presence","left":["u3"]})"}));
  h.advance(5ms);
  EXPECT_EQ(h.drain(), (Lines{R"(4 {"t":"presence","left":["u3"]})"}));
  EXPECT_FALSE(h.core.stats().presence_pending);
}

TEST_F(CoreV2, DirectMessageIsAcknowledgedWithItsIdAndReachesEveryDevice) {
  h.join_v2(1, "alice", "lap");
  h.join_v2(2, "bob", "phone");
  h.join_v2(3, "bob", "desk");
  h.join_v2(4, "alice", "phone");
  flush();
  h.feed_frame(1, v2::Send{5, {"bob"}, {}, "hi", "c1"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(2 {"t":"msg","conv":"d:1:2","id":1,"epoch":1,"ts":50,"from":"alice","to":["bob"],"text":"hi"})",
          R"(3 {"t":"msg","conv":"d:1:2","id":1,"epoch":1,"ts":50,"from":"alice","to":["bob"],"text":"hi"})",
          R"(4 {"t":"msg","conv":"d:1:2","id":1,"epoch":1,"ts":50,"from":"alice","to":["bob"],"text":"hi","cid":"c1"})",
          R"(1 {"t":"ack","rid":5,"cid":"c1","epoch":1,"ts":50,"sent":[{"to":"bob","conv":"d:1:2","id":1}]})"}));
  h.feed_frame(3, v2::Send{6, {"Alice"}, {}, "yo", ""});
  const Lines reply = h.drain();
  ASSERT_EQ(reply.size(), 4u);
  EXPECT_EQ(
      reply.back(),
      R"(3 {"t":"ack","rid":6,"epoch":1,"ts":50,"sent":[{"to":"alice","conv":"d:1:2","id":2}]})");
}

TEST_F(CoreV2, OfflineAccountIsAcceptedAndUnknownNameGetsAPerNameError) {
  h.join_v2(1, "alice");
  h.drain();
  h.feed_frame(1, v2::Send{5, {"dora", "zed", "DORA"}, {}, "hi", ""});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"ack","rid":5,"epoch":1,"ts":0,"sent":[{"to":"Dora","conv":"d:1:40","id":1,"offline":true}],"errors":[{"to":"zed","code":"no_such_user","text":"no account named 'zed'"}]})"}));
  h.feed_frame(1, v2::Send{6, {"zed"}, {}, "hi", ""});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":6,"code":"no_such_user","text":"no message was sent: no account named 'zed'","errors":[{"to":"zed","code":"no_such_user","text":"no account named 'zed'"}]})"}));
}

// A directory that cannot answer (its store is down) for names other than dora's.
class FailingDirectory final : public AccountDirectory {
 public:
  std::optional<AccountRef> find(std::string_view name) override { return lookup(name).account; }
  AccountLookup lookup(std::string_view name) override {
    if (name_key(name) == "dora") return {AccountRef{40, "Dora"}, false};
    return {std::nullopt, true};
  }
};

// "Could not tell" is not "no such account": the name gets store_failed, and nothing is sent.
TEST(CoreV2Directory, AStoreThatCannotAnswerGivesStoreFailedNotNoSuchUser) {
  CoreConfig config = v2_config();
  config.directory = std::make_shared<FailingDirectory>();
  Harness h{config};
  h.join_v2(1, "alice");
  h.drain();
  h.feed_frame(1, v2::Send{5, {"dora", "zed"}, {}, "hi", ""});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"ack","rid":5,"epoch":1,"ts":0,"sent":[{"to":"Dora","conv":"d:1:40","id":1,"offline":true}],"errors":[{"to":"zed","code":"store_failed","text":"the account store did not answer; try again"}]})"}));
  h.feed_frame(1, v2::History{6, "", "zed", std::nullopt, std::nullopt, 10});
  const Lines history = h.drain();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_NE(history[0].find(R"("code":"store_failed")"), std::string::npos) << history[0];
}

// A retry with the same client id is acknowledged again with the original ids, not redelivered.
TEST_F(CoreV2, ResendWithTheSameClientIdIsNotDeliveredTwice) {
  h.join_v2(1, "alice");
  h.join_v2(2, "bob");
  h.drain();
  h.feed_frame(1, v2::Send{1, {"bob"}, {}, "hi", "c-9"});
  EXPECT_EQ(h.drain().size(), 2u);
  h.feed_frame(1, v2::Send{2, {"bob"}, {}, "hi", "c-9"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"ack","rid":2,"cid":"c-9","epoch":1,"ts":0,"sent":[{"to":"bob","conv":"d:1:2","id":1}],"duplicate":true})"}));
  EXPECT_EQ(h.core.stats().duplicate_sends, 1u);
  h.advance(std::chrono::seconds(11));  // out of the window: a new message
  h.drain();
  h.feed_frame(1, v2::Send{3, {"bob"}, {}, "hi", "c-9"});
  EXPECT_EQ(h.drain().size(), 2u);
}

TEST_F(CoreV2, BroadcastHasOneIdInAllAndReachesV1SessionsAsV1) {
  h.join_v2(1, "alice");
  h.join(2, "bob");
  h.join_v2(3, "alice", "second");
  h.drain();
  h.feed_frame(1, v2::Send{4, {}, "all", "hey", "b1"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(3 {"t":"msg","conv":"all","id":1,"epoch":1,"ts":0,"from":"alice","text":"hey","cid":"b1"})",
          "2 BROADCAST alice(1): hey",
          R"(1 {"t":"ack","rid":4,"cid":"b1","epoch":1,"ts":0,"sent":[{"conv":"all","id":1}]})"}));
}

TEST_F(CoreV2, V1SendersReachV2SessionsByNameAndV1ListsShowOneEntryPerAccount) {
  h.join_v2(1, "alice", "lap");
  h.join_v2(2, "alice", "phone");
  h.open(3);
  EXPECT_EQ(h.attempt(3, "bob", true), (Lines{"3 LOGIN_ACK 1:alice,2:bob"}));
  h.feed(3, one_to_one_pdu("1", "hello"));
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"msg","conv":"d:alice:bob","id":1,"epoch":1,"ts":0,"from":"bob","to":["alice"],"text":"hello"})",
          R"(2 {"t":"msg","conv":"d:alice:bob","id":1,"epoch":1,"ts":0,"from":"bob","to":["alice"],"text":"hello"})"}));
  h.feed_frame(2, v2::Send{1, {"bob"}, {}, "back", ""});
  const Lines lines = h.drain();
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "3 ONE_TO_ONE alice(1): back");
}

// v1 semantics do not change: one session per account, so a v1 LOGIN for an account with v2
// devices online is refused (no probe: which device would it ask?).
TEST_F(CoreV2, V1LoginForAnAccountWithV2DevicesIsRefused) {
  h.join_v2(1, "alice", "lap");
  h.join_v2(2, "alice", "phone");
  h.drain();
  h.open(3);
  EXPECT_EQ(h.attempt(3, "alice", true),
            (Lines{"3 LOGIN_UNSUCCESSFUL_RETRY User already logged in. Attempts left: 2"}));
}

TEST_F(CoreV2, TheSameDeviceReplacesItsOldSession) {
  h.join_v2(1, "alice", "lap");
  h.drain();
  h.open_v2(2);
  const Lines lines = h.attempt_v2(2, "alice", "lap");
  EXPECT_EQ(lines.back(), "1 CLOSE 9 replaced by a new session of the same device");
  EXPECT_EQ(h.core.stats().sessions, 1u);
  EXPECT_EQ(flush(), (Lines{R"(2 {"t":"presence","joined":["alice"]})"}));  // never offline
}

TEST_F(CoreV2, OverTheDeviceLimitTheLeastRecentlyHeardIsReplaced) {
  h.join_v2(1, "alice", "a");
  h.join_v2(2, "alice", "b");
  h.join_v2(3, "alice", "c");
  h.advance(1s);
  h.feed_frame(1, v2::Ping{1});  // a is heard from; b is now the least recent
  h.drain();
  h.open_v2(4);
  const Lines lines = h.attempt_v2(4, "alice", "d");
  EXPECT_EQ(lines.back(), "2 CLOSE 9 replaced: the account has reached its limit of 3 devices");
  EXPECT_EQ(h.core.stats().sessions, 3u);
}

TEST_F(CoreV2, RequestsAreAnsweredByRidAndUnknownTypesAndMembersDoNotEndTheSession) {
  h.open_v2(1);
  h.feed_frame(1, v2::Send{3, {"bob"}, {}, "hi", ""});
  EXPECT_EQ(h.drain(),
            (Lines{R"(1 {"t":"error","rid":3,"code":"not_logged_in","text":"log in first"})"}));
  h.feed_frame(1, v2::Ping{4});
  EXPECT_EQ(h.drain(), (Lines{R"(1 {"t":"pong","rid":4})"}));
  h.attempt_v2(1, "alice");
  h.feed(1, raw_frame(R"({"t":"typing","rid":8,"x":1})"));
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":8,"code":"unknown_type","text":"unknown frame type 'typing'"})"}));
  h.feed(1, raw_frame(R"({"t":"ping","rid":9,"new":2})"));
  EXPECT_EQ(h.drain(), (Lines{R"(1 {"t":"pong","rid":9})"}));
  h.feed_frame(1, v2::Pong{1});
  EXPECT_EQ(
      h.drain(),
      (Lines{R"(1 {"t":"error","code":"bad_frame","text":"a client does not send 'pong'"})"}));
  h.feed_frame(1, v2::Logout{10});
  EXPECT_EQ(h.drain(), (Lines{R"(1 {"t":"bye","rid":10})", "1 CLOSE 0 logout"}));
}

TEST_F(CoreV2, AFrameThatDoesNotDecodeIsAnsweredByItsRidAndTheSessionGoesOn) {
  h.join_v2(1, "alice");
  h.drain();
  h.feed(1, raw_frame(R"({"t":"send","rid":12,"to":"bob","text":"hi"})"));
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":12,"code":"bad_frame","text":"member 'to' must be an array of strings, got a string"})"}));
  h.feed_frame(1, v2::Ping{13});
  EXPECT_EQ(h.drain(), (Lines{R"(1 {"t":"pong","rid":13})"}));
}

TEST_F(CoreV2, SendLimitsAreTypedErrors) {
  h.join_v2(1, "alice");
  h.drain();
  h.feed_frame(1, v2::Send{1, {"bob"}, {}, "", ""});
  EXPECT_EQ(
      h.drain(),
      (Lines{R"(1 {"t":"error","rid":1,"code":"empty_text","text":"the message text is empty"})"}));
  h.feed_frame(1, v2::Send{2, {}, "#room", "x", ""});
  EXPECT_EQ(h.drain(),
            (Lines{R"(1 {"t":"error","rid":2,"code":"no_such_room","text":"no room '#room'"})"}));
  h.feed_frame(1, v2::Send{4, {}, "d:1:2", "x", ""});
  EXPECT_EQ(
      h.drain(),
      (Lines{R"(1 {"t":"error","rid":4,"code":"no_such_conv","text":"no conversation 'd:1:2'"})"}));
  h.feed_frame(1, v2::Send{3, {"bob"}, "all", "x", ""});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":3,"code":"bad_frame","text":"give either 'to' (names) or 'conv'"})"}));
}

TEST_F(CoreV2, WrongPasswordIsATypedErrorAndTheThirdEndsTheSession) {
  h.open_v2(1);
  for (int i = 1; i <= 3; ++i) {
    h.feed_frame(1, v2::Login{static_cast<std::uint64_t>(i), "alice", "bad", ""});
    const std::uint64_t ticket = h.last_ticket();
    h.drain();
    h.core.password_checked(1, ticket, PasswordCheck::WrongPassword, h.now);
    const Lines lines = h.drain();
    ASSERT_FALSE(lines.empty());
    if (i < 3) {
      EXPECT_EQ(lines.front(),
                R"(1 {"t":"error","rid":)" + std::to_string(i) +
                    R"(,"code":"bad_credentials","text":"Invalid credentials. Attempts left: )" +
                    std::to_string(3 - i) + "\"}");
    } else {
      EXPECT_EQ(lines.back(), "1 CLOSE 2 maximum login attempts exceeded");
    }
  }
}

}  // namespace
}  // namespace qc::chat::testing
