// ChatClient and ClientMux against an in-memory endpoint and a manual clock: routing by
// connection handle, what goes on the wire, the keep-alive timer, close and reconnect.
#include "client/chat_client.h"

#include <gtest/gtest.h>

#include <map>

#include "../support/fake_client_transport.h"
#include "proto/v2/codec.h"

namespace qc::client {
namespace {

using qc::testing::FakeEndpoint;
using qc::testing::FakeLoop;

using proto::MsgType;

std::string server_pdu(MsgType type, const std::string& msg) {
  return proto::encode(proto::make_pdu(type, msg));
}

MsgType sent_type(const std::string& bytes) {
  auto pdu = proto::decode(bytes);
  EXPECT_TRUE(pdu.ok());
  return pdu.ok() ? pdu->type : MsgType::Versions;
}

class ChatClientTest : public ::testing::Test {
 protected:
  ChatClient& make(std::chrono::milliseconds keepalive = std::chrono::milliseconds(30'000),
                   std::int64_t max_version = 1) {
    ChatClientOptions opts;
    opts.keepalive = keepalive;
    opts.max_version = max_version;
    auto index = clients.size();
    clients.push_back(std::make_unique<ChatClient>(
        loop, endpoint, mux, opts, [this, index](const Event& e) { events[index].push_back(e); }));
    return *clients.back();
  }

  // Connects, opens, logs in as the last user of `users`.
  void log_in(ChatClient& c, const proto::UserList& users) {
    ASSERT_TRUE(c.connect());
    mux.on_open(c.handle(), quic::PeerInfo{"127.0.0.1:4433", "quicchat", "ab", {}});
    ASSERT_TRUE(c.login(users.back().username, "pw"));
    mux.on_data(c.handle(), server_pdu(MsgType::LoginAck, proto::encode_user_list(users)));
  }

  std::vector<MsgType> types_sent(quic::ConnHandle conn) {
    std::vector<MsgType> out;
    for (const auto& b : endpoint.sent[conn]) out.push_back(sent_type(b));
    return out;
  }

  FakeLoop loop;
  FakeEndpoint endpoint;
  ClientMux mux;
  std::vector<std::unique_ptr<ChatClient>> clients;
  std::map<std::size_t, std::vector<Event>> events;
};

TEST_F(ChatClientTest, OpenSendsVersionsThenReportsConnected) {
  ChatClient& c = make();
  ASSERT_TRUE(c.connect());
  EXPECT_EQ(mux.size(), 1u);
  EXPECT_TRUE(endpoint.sent[c.handle()].empty());
  mux.on_open(c.handle(), quic::PeerInfo{"127.0.0.1:4433", "echo-protocol", "ab", 1040});
  EXPECT_EQ(types_sent(c.handle()), std::vector<MsgType>{MsgType::Versions});
  ASSERT_EQ(events[0].size(), 1u);
  EXPECT_EQ(std::get<Connected>(events[0][0]).alpn, "echo-protocol");
}

TEST_F(ChatClientTest, AliveRightAfterLoginAckAndEveryInterval) {
  ChatClient& c = make(std::chrono::milliseconds(1000));
  log_in(c, {{1, "alice"}});
  EXPECT_EQ(types_sent(c.handle()),
            (std::vector<MsgType>{MsgType::Versions, MsgType::Login, MsgType::Alive}));
  loop.advance(std::chrono::milliseconds(999));
  EXPECT_EQ(endpoint.sent[c.handle()].size(), 3u);
  loop.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(endpoint.sent[c.handle()].size(), 4u);
  loop.advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(types_sent(c.handle()).back(), MsgType::Alive);
  EXPECT_EQ(endpoint.sent[c.handle()].size(), 5u);
}

TEST_F(ChatClientTest, KeepaliveZeroSendsNoAlive) {
  ChatClient& c = make(std::chrono::milliseconds(0));
  log_in(c, {{1, "alice"}});
  EXPECT_EQ(types_sent(c.handle()), (std::vector<MsgType>{MsgType::Versions, MsgType::Login}));
  EXPECT_TRUE(loop.timers.empty());
}

TEST_F(ChatClientTest, LogoutStopsTheKeepalive) {
  ChatClient& c = make(std::chrono::milliseconds(1000));
  log_in(c, {{1, "alice"}});
  ASSERT_TRUE(c.logout());
  EXPECT_EQ(types_sent(c.handle()).back(), MsgType::Logout);
  EXPECT_TRUE(loop.timers.empty());
}

TEST_F(ChatClientTest, MuxRoutesByHandle) {
  ChatClient& a = make();
  ChatClient& b = make();
  log_in(a, {{1, "alice"}});
  log_in(b, {{1, "alice"}, {2, "bob"}});
  mux.on_data(a.handle(),
              server_pdu(MsgType::Broadcast,
                         R"({"sender_user_id": 2, "sender_username": "bob", "msg": "to a"})"));
  EXPECT_EQ(std::get<Message>(events[0].back()).text, "to a");
  EXPECT_TRUE(std::holds_alternative<LoginOk>(events[1].back()));
  EXPECT_EQ(b.session().my_id(), 2u);
  mux.on_data(999, "{}");  // unknown handles are ignored
}

TEST_F(ChatClientTest, SendsWhatTheSessionQueues) {
  ChatClient& c = make(std::chrono::milliseconds(0));
  log_in(c, {{1, "alice"}, {2, "bob"}});
  ASSERT_TRUE(c.send_broadcast("hi"));
  ASSERT_TRUE(c.send_direct(1, "yo"));
  ASSERT_TRUE(c.send_many({1, 2}, "all"));
  EXPECT_EQ(types_sent(c.handle()),
            (std::vector<MsgType>{MsgType::Versions, MsgType::Login, MsgType::Broadcast,
                                  MsgType::OneToOne, MsgType::OneToMany}));
}

TEST_F(ChatClientTest, LossIsReportedAndReconnectStartsFresh) {
  ChatClient& c = make(std::chrono::milliseconds(1000));
  log_in(c, {{1, "alice"}});
  quic::ConnHandle first = c.handle();
  mux.on_closed(first, quic::CloseInfo{quic::CloseKind::IdleTimeout, 0, "idle timeout"});
  ASSERT_FALSE(events[0].empty());
  const auto& closed = std::get<ConnectionClosed>(events[0].back());
  EXPECT_FALSE(closed.expected);
  EXPECT_EQ(closed.reason, "idle timeout");
  EXPECT_EQ(mux.size(), 0u);
  EXPECT_TRUE(loop.timers.empty());
  EXPECT_FALSE(c.connected());

  ASSERT_TRUE(c.connect());
  EXPECT_NE(c.handle(), first);
  EXPECT_FALSE(c.session().logged_in());
}

// The close reports the messages the server's transport had not acknowledged, in order, named
// by the line the user typed (or their text when no line was given).
TEST_F(ChatClientTest, LossNamesTheUnacknowledgedMessagesInOrder) {
  ChatClient& c = make(std::chrono::milliseconds(0));
  log_in(c, {{1, "alice"}, {2, "bob"}});
  const quic::ConnHandle h = c.handle();
  ASSERT_TRUE(c.send_broadcast("first", "0: first"));
  const std::uint64_t first_end = endpoint.offset[h];
  ASSERT_TRUE(c.send_direct(2, "second", "2: second"));
  ASSERT_TRUE(c.send_many({1, 2}, "third", "1,2: third"));
  ASSERT_TRUE(c.send_broadcast("fourth"));
  quic::CloseInfo info{quic::CloseKind::PeerUnresponsive, 0, "server not responding for 5.0 s"};
  info.stream_acked = first_end;
  mux.on_closed(h, info);
  const auto& closed = std::get<ConnectionClosed>(events[0].back());
  EXPECT_EQ(closed.undelivered, (std::vector<std::string>{"2: second", "1,2: third", "fourth"}));
  EXPECT_EQ(closed.reason, "server not responding for 5.0 s");
}

TEST_F(ChatClientTest, AcknowledgedMessagesAreForgottenAndNotReported) {
  ChatClient& c = make(std::chrono::milliseconds(0));
  log_in(c, {{1, "alice"}});
  const quic::ConnHandle h = c.handle();
  ASSERT_TRUE(c.send_broadcast("one", "0: one"));
  ASSERT_TRUE(c.send_broadcast("two", "0: two"));
  endpoint.acked[h] = endpoint.offset[h];  // both acknowledged
  ASSERT_TRUE(c.send_broadcast("three", "0: three"));
  quic::CloseInfo info{quic::CloseKind::StatelessReset, 0, "stateless reset from peer"};
  info.stream_acked = endpoint.offset[h];
  mux.on_closed(h, info);
  EXPECT_TRUE(std::get<ConnectionClosed>(events[0].back()).undelivered.empty());

  // A new connection starts with nothing outstanding.
  ASSERT_TRUE(c.connect());
  mux.on_closed(c.handle(), quic::CloseInfo{quic::CloseKind::IdleTimeout, 0, "idle timeout"});
  EXPECT_TRUE(std::get<ConnectionClosed>(events[0].back()).undelivered.empty());
}

TEST_F(ChatClientTest, TheChatTransportChecksLiveness) {
  const quic::ClientOptions o = chat_transport_options();
  EXPECT_EQ(o.keep_alive, std::chrono::milliseconds(10'000));
  EXPECT_EQ(o.liveness_timeout, std::chrono::milliseconds(5'000));
}

TEST_F(ChatClientTest, LocalCloseIsExpectedAndRebindGoesToTheEndpoint) {
  ChatClient& c = make();
  log_in(c, {{1, "alice"}});
  ASSERT_TRUE(c.rebind());
  EXPECT_EQ(endpoint.rebound, std::vector<quic::ConnHandle>{c.handle()});
  quic::ConnHandle h = c.handle();
  c.close("bye");
  EXPECT_EQ(endpoint.closed[h], "bye");
  mux.on_closed(h, quic::CloseInfo{quic::CloseKind::Local, 0, "bye"});
  EXPECT_TRUE(std::get<ConnectionClosed>(events[0].back()).expected);
}

TEST_F(ChatClientTest, RebindBeforeOpenFails) {
  ChatClient& c = make();
  EXPECT_FALSE(c.rebind());
  ASSERT_TRUE(c.connect());
  EXPECT_FALSE(c.rebind());
}

TEST_F(ChatClientTest, DestroyingAClientClosesItsConnection) {
  ChatClient& c = make();
  ASSERT_TRUE(c.connect());
  quic::ConnHandle h = c.handle();
  clients.clear();
  EXPECT_EQ(mux.size(), 0u);
  EXPECT_TRUE(endpoint.closed.count(h));
}

// v2: the login waits for the VERSIONS reply, keep-alives are pings from the welcome on, and a
// reconnect goes on counting client message ids (a cid is never reused for new text).
TEST_F(ChatClientTest, V2LoginPingsAndCidsAcrossReconnects) {
  ChatClient& c = make(std::chrono::milliseconds(1000), 2);
  ASSERT_TRUE(c.connect());
  mux.on_open(c.handle(), quic::PeerInfo{"127.0.0.1:4433", "quicchat", "ab", {}});
  ASSERT_TRUE(c.login("alice", "pw", "dev"));
  EXPECT_EQ(endpoint.sent[c.handle()].size(), 1u);
  mux.on_data(c.handle(), server_pdu(MsgType::Versions, R"({"selected_version": 2})") +
                              proto::v2::encode_frame(proto::v2::Welcome{1, "alice", 1, "dev", 1}));
  auto body = [&](std::size_t i) {
    auto frame = proto::v2::decode_body(
        std::string_view(endpoint.sent[c.handle()].at(i)).substr(proto::v2::kLengthPrefixBytes));
    EXPECT_TRUE(frame.ok());
    return frame ? *frame : proto::v2::Frame{};
  };
  EXPECT_EQ(std::get<proto::v2::Login>(body(1)).device, "dev");
  EXPECT_TRUE(std::holds_alternative<proto::v2::Ping>(body(2))) << "a ping right after welcome";
  loop.advance(std::chrono::milliseconds(1000));
  EXPECT_TRUE(std::holds_alternative<proto::v2::Ping>(body(3)));
  ASSERT_TRUE(c.send_to({"bob"}, "one"));
  const std::string first_cid = std::get<proto::v2::Send>(body(4)).cid;

  mux.on_closed(c.handle(), quic::CloseInfo{quic::CloseKind::IdleTimeout, 0, "idle timeout"});
  ASSERT_TRUE(c.connect());
  mux.on_open(c.handle(), quic::PeerInfo{"127.0.0.1:4433", "quicchat", "ab", {}});
  ASSERT_TRUE(c.login("alice", "pw", "dev"));
  mux.on_data(c.handle(), server_pdu(MsgType::Versions, R"({"selected_version": 2})") +
                              proto::v2::encode_frame(proto::v2::Welcome{1, "alice", 1, "dev", 1}));
  ASSERT_TRUE(c.send_to({"bob"}, "two"));
  const std::string second_cid = std::get<proto::v2::Send>(body(3)).cid;
  EXPECT_NE(second_cid, first_cid);
  EXPECT_EQ(second_cid.substr(0, second_cid.find('-')), first_cid.substr(0, first_cid.find('-')));
}

}  // namespace
}  // namespace qc::client
