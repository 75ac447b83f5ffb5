#include "client/session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qc::client {
namespace {

using proto::MsgType;

// A server PDU as the seed's server writes it.
std::string server_pdu(MsgType type, const std::string& msg) {
  return proto::encode(proto::make_pdu(type, msg));
}

std::string user_list_msg(const proto::UserList& users) { return proto::encode_user_list(users); }

const proto::UserList kAliceBob = {{1, "alice"}, {2, "bob"}};

std::vector<std::string> drain_bytes(ClientSession& s) {
  std::vector<std::string> out;
  for (const SharedBytes& b : s.take_outbox()) out.push_back(*b);
  return out;
}

// The single event drained, which must be a T (returned by value: the vector is a temporary).
template <class T>
T only_event(const std::vector<Event>& events) {
  EXPECT_EQ(events.size(), 1u);
  if (events.size() != 1 || !std::holds_alternative<T>(events[0])) {
    ADD_FAILURE() << "event kind index "
                  << (events.empty() ? -1 : static_cast<int>(events[0].index()));
    return T{};
  }
  return std::get<T>(events[0]);
}

// A session that has negotiated and logged in as bob (id 2) with alice present.
ClientSession logged_in_bob() {
  ClientSession s;
  EXPECT_TRUE(s.start());
  EXPECT_TRUE(s.login("bob", "p2"));
  s.on_bytes(server_pdu(MsgType::LoginAck, user_list_msg(kAliceBob)));
  s.take_outbox();
  s.take_events();
  return s;
}

TEST(ClientSession, StartQueuesSeedVersionsBytes) {
  ClientSession s;
  ASSERT_TRUE(s.start());
  EXPECT_EQ(s.state(), proto::ConnState::Connected);
  EXPECT_EQ(drain_bytes(s),
            std::vector<std::string>{
                R"({"version": 1, "mtype": 0, "msg": "{\"versions\": [1]}", "sz": 17})"});
}

TEST(ClientSession, LoginQueuesSeedBytesWithoutWaitingForVersionsReply) {
  ClientSession s;
  ASSERT_TRUE(s.start());
  ASSERT_TRUE(s.login("alice", "p1"));
  auto bytes = drain_bytes(s);
  ASSERT_EQ(bytes.size(), 2u);
  EXPECT_EQ(
      bytes[1],
      R"({"version": 1, "mtype": 16, "msg": "{\"username\": \"alice\", \"password\": \"p1\"}", "sz": 39})");
}

TEST(ClientSession, LoginBeforeConnectingFails) {
  ClientSession s;
  EXPECT_FALSE(s.login("alice", "p1"));
  EXPECT_TRUE(drain_bytes(s).empty());
}

TEST(ClientSession, VersionReplySelectedAndRejected) {
  ClientSession s;
  ASSERT_TRUE(s.start());
  s.on_bytes(server_pdu(MsgType::Versions, R"({"selected_version": 1})"));
  EXPECT_EQ(only_event<VersionSelected>(s.take_events()).version, 1);

  ClientSession r;
  ASSERT_TRUE(r.start());
  r.on_bytes(server_pdu(MsgType::Versions, R"({"error": "No compatible version"})"));
  EXPECT_EQ(only_event<VersionRejected>(r.take_events()).error, "No compatible version");
  EXPECT_EQ(r.state(), proto::ConnState::Disconnecting);
}

TEST(ClientSession, LoginAckMakesTheLastEntryMyId) {
  ClientSession s;
  ASSERT_TRUE(s.start());
  ASSERT_TRUE(s.login("bob", "p2"));
  s.on_bytes(R"({"version": 1, "mtype": 17, "msg": "[{\"user_id\": 1, \"username\": \"alice\"}, )"
             R"({\"user_id\": 2, \"username\": \"bob\"}]", "sz": 72})");
  const auto ok = only_event<LoginOk>(s.take_events());
  EXPECT_EQ(ok.my_id, 2u);
  EXPECT_EQ(ok.users, kAliceBob);
  EXPECT_TRUE(s.logged_in());
  EXPECT_EQ(s.my_id(), 2u);
  EXPECT_EQ(s.my_name(), "bob");
  EXPECT_EQ(s.find_user_id("alice"), 1u);
  EXPECT_EQ(s.find_user_id("zed"), std::nullopt);
}

// A busy server's presence list outgrows the 64 KiB a server accepts from a client.
TEST(ClientSession, LoginAckListingThousandsOfUsersIsAccepted) {
  proto::UserList many;
  for (std::uint64_t id = 1; id <= 3000; ++id) many.push_back({id, "user" + std::to_string(id)});
  const std::string bytes = server_pdu(MsgType::LoginAck, user_list_msg(many));
  ASSERT_GT(bytes.size(), proto::kDefaultMaxPduBytes);
  ClientSession s;
  ASSERT_TRUE(s.start());
  ASSERT_TRUE(s.login("user3000", "pw"));
  s.on_bytes(bytes);
  const auto ok = only_event<LoginOk>(s.take_events());
  EXPECT_EQ(ok.my_id, 3000u);
  EXPECT_EQ(ok.users.size(), 3000u);
}

TEST(ClientSession, EmptyLoginAckIsAViolation) {
  ClientSession s;
  ASSERT_TRUE(s.start());
  s.on_bytes(server_pdu(MsgType::LoginAck, "[]"));
  only_event<ProtocolViolation>(s.take_events());
  EXPECT_FALSE(s.logged_in());
}

TEST(ClientSession, RetryAllowsAnotherLogin) {
  ClientSession s;
  ASSERT_TRUE(s.start());
  ASSERT_TRUE(s.login("alice", "wrong"));
  s.on_bytes(server_pdu(MsgType::LoginUnsuccessfulRetry,
                        R"({"error": "Invalid credentials. Attempts left: 2"})"));
  EXPECT_EQ(only_event<LoginRetry>(s.take_events()).error, "Invalid credentials. Attempts left: 2");
  EXPECT_TRUE(s.login("alice", "p1"));
}

TEST(ClientSession, DisconnectRejectsAndTheCloseIsExpected) {
  ClientSession s;
  ASSERT_TRUE(s.start());
  s.on_bytes(server_pdu(MsgType::LoginUnsuccessfulDisconnect,
                        R"({"error": "Maximum login attempts exceeded."})"));
  EXPECT_EQ(only_event<LoginRejected>(s.take_events()).error, "Maximum login attempts exceeded.");
  EXPECT_FALSE(s.login("alice", "p1"));
  s.on_closed(2, "peer", "login failed");
  EXPECT_TRUE(only_event<ConnectionClosed>(s.take_events()).expected);
  EXPECT_EQ(s.state(), proto::ConnState::Disconnected);
}

TEST(ClientSession, ChatRequestsQueueSeedBytes) {
  ClientSession s = logged_in_bob();
  ASSERT_TRUE(s.send_direct(2, "hi"));
  ASSERT_TRUE(s.send_many({1, 3}, "meet"));
  ASSERT_TRUE(s.send_broadcast("hello"));
  ASSERT_TRUE(s.alive());
  EXPECT_EQ(
      drain_bytes(s),
      (std::vector<std::string>{
          R"({"version": 1, "mtype": 48, "msg": "{\"target_user_id\": \"2\", \"msg\": \"hi\"}", "sz": 36})",
          R"({"version": 1, "mtype": 49, "msg": "{\"target_user_ids\": \"1,3\", \"msg\": \"meet\"}", "sz": 41})",
          R"({"version": 1, "mtype": 50, "msg": "{\"msg\": \"hello\"}", "sz": 16})",
          R"({"version": 1, "mtype": 32, "msg": "keep_alive", "sz": 10})",
      }));
}

TEST(ClientSession, NonAsciiTextIsEscapedLikePython) {
  ClientSession s = logged_in_bob();
  ASSERT_TRUE(s.send_broadcast("h\xc3\xa9 \xe2\x98\x83"));
  EXPECT_EQ(
      drain_bytes(s),
      std::vector<std::string>{
          R"({"version": 1, "mtype": 50, "msg": "{\"msg\": \"h\\u00e9 \\u2603\"}", "sz": 25})"});
}

TEST(ClientSession, ChatBeforeLoginFailsAndQueuesNothing) {
  ClientSession s;
  ASSERT_TRUE(s.start());
  s.take_outbox();
  EXPECT_FALSE(s.send_broadcast("x"));
  EXPECT_FALSE(s.send_direct(1, "x"));
  EXPECT_FALSE(s.send_many({1, 2}, "x"));
  EXPECT_FALSE(s.alive());
  EXPECT_FALSE(s.logout());
  EXPECT_TRUE(drain_bytes(s).empty());
}

TEST(ClientSession, PresenceFollowsBothBroadcasts) {
  ClientSession s = logged_in_bob();
  const proto::UserList with_cam = {{1, "alice"}, {2, "bob"}, {3, "cam"}};
  s.on_bytes(server_pdu(MsgType::LoginBroadcast, user_list_msg(with_cam)));
  EXPECT_EQ(only_event<UsersJoined>(s.take_events()).users, with_cam);
  EXPECT_EQ(s.find_user_id("cam"), 3u);

  const proto::UserList without_alice = {{2, "bob"}, {3, "cam"}};
  s.on_bytes(server_pdu(MsgType::LogoutBroadcast, user_list_msg(without_alice)));
  EXPECT_EQ(only_event<UsersLeft>(s.take_events()).users, without_alice);
  EXPECT_EQ(s.find_user_id("alice"), std::nullopt);
  EXPECT_EQ(s.presence().users(), without_alice);
}

TEST(ClientSession, DeliveriesBecomeMessagesOfTheirKind) {
  ClientSession s = logged_in_bob();
  const std::string body =
      R"({"sender_user_id": 1, "sender_username": "alice", "msg": "hi: there"})";
  s.on_bytes(server_pdu(MsgType::OneToOne, body) + server_pdu(MsgType::OneToMany, body) +
             server_pdu(MsgType::Broadcast, body));
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 3u);
  const MessageKind kinds[] = {MessageKind::OneToOne, MessageKind::OneToMany,
                               MessageKind::Broadcast};
  for (int i = 0; i < 3; ++i) {
    const auto& m = std::get<Message>(events[i]);
    EXPECT_EQ(m.kind, kinds[i]);
    EXPECT_EQ(m.sender_id, 1u);
    EXPECT_EQ(m.sender_name, "alice");
    EXPECT_EQ(m.text, "hi: there");
  }
}

TEST(ClientSession, MsgUnsuccessfulIsAServerError) {
  ClientSession s = logged_in_bob();
  s.on_bytes(server_pdu(MsgType::MsgUnsuccessful, R"({"error": "Target user not available"})"));
  EXPECT_EQ(only_event<ServerError>(s.take_events()).error, "Target user not available");
}

TEST(ClientSession, LogoutThenAckThenExpectedClose) {
  ClientSession s = logged_in_bob();
  ASSERT_TRUE(s.logout());
  EXPECT_EQ(drain_bytes(s),
            std::vector<std::string>{
                R"({"version": 1, "mtype": 64, "msg": "User logging out", "sz": 16})"});
  EXPECT_FALSE(s.send_broadcast("too late"));
  s.on_bytes(server_pdu(MsgType::LogoutAck, R"({"sys": "Logout successful"})"));
  EXPECT_EQ(only_event<LoggedOut>(s.take_events()).sys, "Logout successful");
  s.on_closed(0, "peer", "bye");
  EXPECT_TRUE(only_event<ConnectionClosed>(s.take_events()).expected);
}

TEST(ClientSession, MessagesArrivingAfterLogoutRequestAreStillDelivered) {
  ClientSession s = logged_in_bob();
  ASSERT_TRUE(s.logout());
  s.on_bytes(server_pdu(MsgType::Broadcast,
                        R"({"sender_user_id": 1, "sender_username": "alice", "msg": "bye"})"));
  EXPECT_EQ(only_event<Message>(s.take_events()).text, "bye");
}

TEST(ClientSession, UnexpectedCloseIsReportedAsLoss) {
  ClientSession s = logged_in_bob();
  s.on_closed(0, "idle_timeout", "idle timeout");
  const auto closed = only_event<ConnectionClosed>(s.take_events());
  EXPECT_FALSE(closed.expected);
  EXPECT_EQ(closed.reason, "idle timeout");
  EXPECT_EQ(s.state(), proto::ConnState::Disconnected);
}

TEST(ClientSession, LocalCloseIsExpected) {
  ClientSession s = logged_in_bob();
  s.on_local_close();
  s.on_closed(0, "local", "client closed");
  EXPECT_TRUE(only_event<ConnectionClosed>(s.take_events()).expected);
}

TEST(ClientSession, OpenAndPathChangeAreReported) {
  ClientSession s;
  s.on_connecting();
  EXPECT_EQ(s.state(), proto::ConnState::Connecting);
  s.on_open("echo-protocol", "127.0.0.1:4433");
  EXPECT_EQ(only_event<Connected>(s.take_events()).alpn, "echo-protocol");
  s.on_path_changed("127.0.0.1:4433");
  only_event<PathChanged>(s.take_events());
}

TEST(ClientSession, PdusSurviveEverySplitPoint) {
  const std::string bytes =
      server_pdu(MsgType::LoginAck, user_list_msg(kAliceBob)) +
      server_pdu(MsgType::Broadcast,
                 R"({"sender_user_id": 1, "sender_username": "alice", "msg": "{}\"}"})");
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    ClientSession s;
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.login("bob", "p2"));
    s.on_bytes(std::string_view(bytes).substr(0, cut));
    s.on_bytes(std::string_view(bytes).substr(cut));
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 2u) << "cut at " << cut;
    EXPECT_TRUE(std::holds_alternative<LoginOk>(events[0]));
    EXPECT_EQ(std::get<Message>(events[1]).text, "{}\"}");
  }
}

TEST(ClientSession, MalformedPdusAreViolationsAndDoNotStopTheStream) {
  ClientSession s = logged_in_bob();
  s.on_bytes(R"({"version": 1, "mtype": 50, "msg": {"not": "a string"}, "sz": 1})");
  s.on_bytes(R"({"version": 1, "mtype": 99, "msg": "", "sz": 0})");
  s.on_bytes(server_pdu(MsgType::Broadcast, R"({"sender_user_id": "x"})"));
  s.on_bytes(server_pdu(MsgType::MsgUnsuccessful, R"({"error": "Target user not available"})"));
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 4u);
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(std::holds_alternative<ProtocolViolation>(events[i])) << i;
  EXPECT_TRUE(std::holds_alternative<ServerError>(events[3]));
}

TEST(ClientSession, ClientOnlyTypesFromTheServerAreViolations) {
  ClientSession s = logged_in_bob();
  s.on_bytes(server_pdu(MsgType::Login, proto::encode_login({"a", "b"})));
  s.on_bytes(server_pdu(MsgType::Alive, "keep_alive"));
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ProtocolViolation>(events[0]));
  EXPECT_TRUE(std::holds_alternative<ProtocolViolation>(events[1]));
}

TEST(ClientSession, ChatDeliveryBeforeLoginIsAViolation) {
  ClientSession s;
  ASSERT_TRUE(s.start());
  s.on_bytes(server_pdu(MsgType::Broadcast,
                        R"({"sender_user_id": 1, "sender_username": "alice", "msg": "x"})"));
  only_event<ProtocolViolation>(s.take_events());
}

TEST(ClientSession, SendRawQueuesBytesVerbatim) {
  ClientSession s;
  s.send_raw("{garbage");
  EXPECT_EQ(drain_bytes(s), std::vector<std::string>{"{garbage"});
}

}  // namespace
}  // namespace qc::client
