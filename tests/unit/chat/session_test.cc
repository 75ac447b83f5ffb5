// Malformed input, keep-alive, logout, connection loss and stream framing.
#include <gtest/gtest.h>

#include "harness.h"

namespace qc::chat::testing {
namespace {

constexpr std::string_view kMalformedAfterLogin = "1 MSG_UNSUCCESSFUL Malformed data received: ";
const Lines kMalformedBeforeLogin{"1 LOGIN_UNSUCCESSFUL_DISCONNECT Malformed data received",
                                  "1 CLOSE 2 malformed data"};

bool starts_with(const Lines& lines, std::string_view prefix) {
  return lines.size() == 1 && lines[0].starts_with(prefix) && lines[0].size() > prefix.size();
}

TEST(CoreMalformed, BeforeLoginDisconnects) {
  for (const std::string& bytes :
       {std::string("{not json}"), std::string("garbage"),
        std::string(R"({"version": 1, "mtype": 99, "msg": "x", "sz": 1})"),
        pdu(MsgType::Login, "not a login object"), pdu(MsgType::LoginAck, "[]")}) {
    Harness h;
    h.open(1);
    h.feed(1, bytes);
    EXPECT_EQ(h.drain(), kMalformedBeforeLogin) << bytes;
    EXPECT_EQ(h.core.stats().malformed_pdus, 1u);
    h.feed(1, login_pdu("alice", "p1"));
    EXPECT_EQ(h.drain(), Lines{}) << "no input after the close";
  }
}

TEST(CoreMalformed, AfterLoginAnswersAndKeepsTheSession) {
  Harness h;
  h.join(1, "alice");
  h.feed(1, "{not json}");
  EXPECT_TRUE(starts_with(h.drain(), kMalformedAfterLogin));
  h.feed(1, R"({"version": 1, "mtype": 99, "msg": "x", "sz": 1})");
  EXPECT_TRUE(starts_with(h.drain(), kMalformedAfterLogin));
  h.feed(1, pdu(MsgType::OneToOne, "not json"));
  EXPECT_TRUE(starts_with(h.drain(), kMalformedAfterLogin));
  h.feed(1, "junk");
  EXPECT_TRUE(starts_with(h.drain(), kMalformedAfterLogin));
  EXPECT_EQ(h.core.stats().malformed_pdus, 4u);
  h.feed(1, broadcast_pdu("still here"));
  EXPECT_EQ(h.drain(), (Lines{"1 BROADCAST alice(1): still here"}));
}

TEST(CoreMalformed, ServerOnlyTypeFromAClientIsUnexpected) {
  Harness h;
  h.join(1, "alice");
  h.feed(1, pdu(MsgType::LoginAck, "[]"));
  EXPECT_EQ(
      h.drain(),
      (Lines{"1 MSG_UNSUCCESSFUL Malformed data received: unexpected message type LOGIN_ACK"}));
  h.feed(1, pdu(MsgType::LogoutBroadcast, "[]"));
  EXPECT_EQ(
      h.drain(),
      (Lines{
          "1 MSG_UNSUCCESSFUL Malformed data received: unexpected message type LOGOUT_BROADCAST"}));
}

TEST(CoreMalformed, TooLargeAfterLoginNamesTheLimit) {
  CoreConfig config;
  config.limits.max_bytes = 200;
  Harness h(config);
  h.join(1, "alice");
  h.feed(1, broadcast_pdu(std::string(300, 'x')));
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL PDU too large: limit is 200 bytes"}));
  EXPECT_EQ(h.core.stats().malformed_pdus, 1u);
  h.feed(1, broadcast_pdu("small"));
  EXPECT_EQ(h.drain(), (Lines{"1 BROADCAST alice(1): small"}));
}

TEST(CoreMalformed, TooLargeBeforeLoginDisconnects) {
  CoreConfig config;
  config.limits.max_bytes = 200;
  Harness h(config);
  h.open(1);
  h.feed(1, login_pdu(std::string(300, 'a'), "p1"));
  EXPECT_EQ(h.drain(), kMalformedBeforeLogin);
}

TEST(CoreStreamEnd, HalfAPduBeforeLoginIsAnsweredAndDisconnects) {
  Harness h;
  h.open(1);
  const std::string login = login_pdu("alice", "p1");
  h.feed(1, login.substr(0, login.size() / 2));
  EXPECT_EQ(h.drain(), Lines{});
  h.end_stream(1);
  EXPECT_EQ(h.drain(), kMalformedBeforeLogin);
  EXPECT_EQ(h.core.stats().malformed_pdus, 1u);
}

TEST(CoreStreamEnd, HalfAPduAfterLoginIsAnsweredAndEndsTheSession) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob");
  h.drain();
  const std::string message = broadcast_pdu("cut short");
  h.feed(1, message.substr(0, 10));
  h.end_stream(1);
  EXPECT_EQ(h.drain(),
            (Lines{"1 MSG_UNSUCCESSFUL Malformed data received: the stream ended inside a PDU",
                   "2 LOGOUT_BROADCAST 2:bob", "1 CLOSE 1 the stream ended inside a PDU"}));
  EXPECT_EQ(render_users(h.core.active_users()), "2:bob");
}

TEST(CoreStreamEnd, AtAPduBoundaryEndsLikeALogout) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob");
  h.drain();
  h.feed(1, broadcast_pdu("bye") + "\n");
  h.end_stream(1);
  EXPECT_EQ(h.drain(), (Lines{"1 BROADCAST alice(1): bye", "2 BROADCAST alice(1): bye",
                              "2 LOGOUT_BROADCAST 2:bob", "1 CLOSE 0 stream ended"}));
  h.end_stream(1);
  h.feed(1, broadcast_pdu("late"));
  EXPECT_EQ(h.drain(), Lines{}) << "nothing after the close";
}

TEST(CoreFirstPdu, ASilentConnectionIsClosedAfterTenSeconds) {
  std::string logged;
  CoreConfig config;
  config.log_sink = [&](log::Level, std::string_view event, std::initializer_list<log::Field>) {
    logged += std::string(event) + "\n";
  };
  Harness h(config);
  h.open(1);
  h.feed(1, "{\"version\": 1");  // not a whole PDU: still silent
  EXPECT_EQ(h.core.next_deadline(), h.now + 10s);
  h.advance(9s);
  EXPECT_EQ(h.drain(), Lines{});
  h.advance(1s);
  EXPECT_EQ(h.drain(), (Lines{"1 CLOSE 3 no PDU received"}));
  EXPECT_EQ(logged, "first_pdu_timeout\n");
}

TEST(CoreFirstPdu, AConnectionThatSentVersionsKeepsTheKeepAliveWindow) {
  Harness h;
  h.open(1);
  h.advance(9s);
  h.feed(1, versions_pdu({1}));
  h.drain();
  h.advance(1s);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(h.core.next_deadline(), h.now - 1s + 90s);
}

TEST(CoreKeepAlive, SilentUnauthenticatedSessionIsClosed) {
  Harness h;
  h.open(1);
  h.feed(1, versions_pdu({1}));
  h.drain();
  EXPECT_EQ(h.core.next_deadline(), h.now + 90s);
  h.advance(89s);
  EXPECT_EQ(h.drain(), Lines{});
  h.advance(1s);
  EXPECT_EQ(h.drain(), (Lines{"1 CLOSE 3 keep-alive timeout"}));
  EXPECT_EQ(h.core.next_deadline(), std::nullopt);
}

TEST(CoreKeepAlive, SilentUserEndsLikeALogout) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob");
  h.advance(60s);
  h.feed(2, alive_pdu());
  EXPECT_EQ(h.drain(), Lines{});
  h.advance(30s);
  EXPECT_EQ(h.drain(), (Lines{"2 LOGOUT_BROADCAST 2:bob", "1 CLOSE 3 keep-alive timeout"}));
  EXPECT_EQ(render_users(h.core.active_users()), "2:bob");
  EXPECT_EQ(h.core.next_deadline(), h.now + 60s);
  h.advance(60s);
  EXPECT_EQ(h.drain(), (Lines{"2 CLOSE 3 keep-alive timeout"}));
}

TEST(CoreKeepAlive, AnyPduRefreshesTheDeadline) {
  Harness h;
  h.join(1, "alice");
  for (int i = 0; i < 5; ++i) {
    h.advance(80s);
    h.feed(1, broadcast_pdu("ping"));
  }
  h.drain();
  EXPECT_EQ(h.core.next_deadline(), h.now + 90s);
  h.advance(89s);
  EXPECT_EQ(h.drain(), Lines{});
  h.advance(1s);
  EXPECT_EQ(h.drain(), (Lines{"1 CLOSE 3 keep-alive timeout"}));
}

TEST(CoreKeepAlive, NextDeadlineIsTheEarliestOfAllSessions) {
  CoreConfig config;
  config.first_pdu_timeout = config.keepalive_timeout;  // the keep-alive alone
  Harness h(config);
  h.open(1);
  h.advance(10s);
  h.open(2);
  h.advance(10s);
  h.feed(1, alive_pdu());
  h.drain();
  EXPECT_EQ(h.core.next_deadline(), TimePoint{} + 100s);  // session 2, opened at 10 s
  h.close(2);
  EXPECT_EQ(h.core.next_deadline(), TimePoint{} + 110s);  // session 1, active at 20 s
}

TEST(CoreLogout, BroadcastThenAckThenClose) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob");
  h.join(3, "cam");
  h.drain();
  h.feed(2, logout_pdu());
  EXPECT_EQ(h.drain(),
            (Lines{"1 LOGOUT_BROADCAST 1:alice,3:cam", "3 LOGOUT_BROADCAST 1:alice,3:cam",
                   "2 LOGOUT_ACK Logout successful", "2 CLOSE 0 logout"}));
  h.feed(2, broadcast_pdu("late"));
  h.close(2);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(h.core.stats().connections, 2u);
}

TEST(CoreConnectionLoss, EndsLikeALogoutAndFreesTheName) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob");
  h.drain();
  h.close(1);
  EXPECT_EQ(h.drain(), (Lines{"2 LOGOUT_BROADCAST 2:bob"}));
  h.close(1);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(h.core.stats().connections, 1u);
  h.open(3);
  EXPECT_EQ(h.attempt(3, "alice", true),
            (Lines{"2 LOGIN_BROADCAST 2:bob,3:alice", "3 LOGIN_ACK 2:bob,3:alice"}));
}

TEST(CoreConnectionLoss, UnknownConnectionsAreIgnored) {
  Harness h;
  h.close(5);
  h.feed(5, login_pdu("alice", "p1"));
  h.core.password_checked(5, 1, PasswordCheck::Ok, h.now);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(h.core.stats().connections, 0u);
}

TEST(CoreFraming, PduSplitAcrossCalls) {
  Harness h;
  h.join(1, "alice");
  const std::string bytes = broadcast_pdu("split {braces} \"quoted\"");
  for (char c : bytes) h.feed(1, std::string_view(&c, 1));
  EXPECT_EQ(h.drain(), (Lines{"1 BROADCAST alice(1): split {braces} \"quoted\""}));
}

TEST(CoreFraming, SeveralPdusInOneCall) {
  Harness h;
  h.open(1);
  h.feed(1, versions_pdu({1}) + login_pdu("alice", "p1"));
  EXPECT_EQ(h.drain(), (Lines{"1 VERSIONS selected 1", "1 VERIFY alice/p1"}));
  h.core.password_checked(1, 1, PasswordCheck::Ok, h.now);
  h.drain();
  const std::string two = broadcast_pdu("a") + "\n" + broadcast_pdu("b");
  h.feed(1, two.substr(0, 10));
  h.feed(1, two.substr(10));
  EXPECT_EQ(h.drain(), (Lines{"1 BROADCAST alice(1): a", "1 BROADCAST alice(1): b"}));
}

}  // namespace
}  // namespace qc::chat::testing
