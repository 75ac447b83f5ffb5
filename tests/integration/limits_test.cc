// The server's limits seen from the network: connection limits refuse the handshake with a
// CONNECTION_CLOSE that says why, Retry does not get in an honest client's way, and the chat
// limits (message rate, text size) answer with their errors. The flags appear in --help.
#include <gtest/gtest.h>

#include "support/peer.h"
#include "support/server_process.h"

namespace qc::itest {
namespace {

using proto::MsgType;

TEST(ServerLimits, HelpListsEveryLimitFlag) {
  auto r = run_quicchat({"server", "--help"});
  EXPECT_EQ(r.status, 0);
  for (const char* option :
       {"--msg-rate", "--msg-burst", "--login-rate-per-ip", "--login-burst-per-ip",
        "--login-rate-per-account", "--login-burst-per-account", "--max-text-bytes",
        "--max-targets", "--max-queued-bytes", "--max-connections", "--max-connections-per-ip",
        "--max-pending-logins"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
}

TEST(ServerLimits, ConnectionsPerAddressOverTheLimitAreRefusedWithAReason) {
  ServerProcessOptions opts;
  opts.extra_args = {"--max-connections-per-ip", "2"};
  ServerProcess server(opts);
  ASSERT_TRUE(server.started()) << server.error();
  Net net;
  const Target target{"127.0.0.1", server.port(), server.ca_file()};
  auto first = net.connect(target);
  auto second = net.connect(target);
  ASSERT_TRUE(first && second);
  std::string error;
  EXPECT_FALSE(net.connect(target, &error));
  EXPECT_NE(error.find("too many connections from your address"), std::string::npos) << error;
  EXPECT_TRUE(server.wait_for_log("quic_refused", std::chrono::seconds(5))) << server.log();
  first.reset();  // a slot frees up once the server has drained that connection
  bool admitted = false;
  for (int i = 0; i < 50 && !admitted; ++i) {
    admitted = net.connect(target) != nullptr;
    if (!admitted) net.run_until([] { return false; }, 100ms);  // polls, bounded
  }
  EXPECT_TRUE(admitted);
}

TEST(ServerLimits, TotalConnectionsOverTheLimitAreRefusedWithAReason) {
  ServerProcessOptions opts;
  opts.extra_args = {"--max-connections", "1"};
  ServerProcess server(opts);
  ASSERT_TRUE(server.started()) << server.error();
  Net net;
  const Target target{"127.0.0.1", server.port(), server.ca_file()};
  auto only = net.connect(target);
  ASSERT_TRUE(only);
  std::string error;
  EXPECT_FALSE(net.connect(target, &error));
  EXPECT_NE(error.find("server at connection limit"), std::string::npos) << error;
  EXPECT_FALSE(only->login("alice", "p1").empty()) << "the admitted client is unaffected";
}

TEST(ServerLimits, RetryAlwaysStillLetsHonestClientsIn) {
  ServerProcessOptions opts;
  opts.extra_args = {"--retry", "always"};
  ServerProcess server(opts);
  ASSERT_TRUE(server.started()) << server.error();
  Net net;
  auto alice = net.connect({"127.0.0.1", server.port(), server.ca_file()});
  ASSERT_TRUE(alice);
  EXPECT_FALSE(alice->login("alice", "p1").empty());
}

TEST(ServerLimits, MessageRateAndTextSizeAnswerWithTheirErrors) {
  ServerProcessOptions opts;
  opts.extra_args = {"--msg-rate", "1", "--msg-burst", "3", "--max-text-bytes", "10"};
  ServerProcess server(opts);
  ASSERT_TRUE(server.started()) << server.error();
  Net net;
  auto alice = net.connect({"127.0.0.1", server.port(), server.ca_file()});
  ASSERT_TRUE(alice);
  ASSERT_FALSE(alice->login("alice", "p1").empty());
  alice->send(MsgType::Broadcast, proto::encode_broadcast({"this is too long"}));
  auto too_long = alice->expect(MsgType::MsgUnsuccessful);
  ASSERT_TRUE(too_long);
  EXPECT_NE(too_long->msg.find("Message too long: limit is 10 bytes"), std::string::npos);
  int limited = 0;
  for (int i = 0; i < 5; ++i) alice->send(MsgType::Broadcast, proto::encode_broadcast({"hi"}));
  for (int i = 0; i < 5; ++i) {
    auto reply = alice->next();
    ASSERT_TRUE(reply);
    if (reply->type == MsgType::MsgUnsuccessful) {
      EXPECT_NE(reply->msg.find("Rate limited: slow down"), std::string::npos) << reply->msg;
      ++limited;
    }
  }
  EXPECT_EQ(limited, 3) << "burst 3, of which the too-long message spent one";
}

// One slow check in flight (unknown names are checked against a dummy hash at --bcrypt-cost):
// of two LOGINs sent together one waits for bcrypt, the other is told the server is busy, uses
// no attempt, and gets in once the first check is done.
TEST(ServerLimits, LoginsBeyondThePendingBoundAreToldTheServerIsBusy) {
  ServerProcessOptions opts;
  opts.extra_args = {"--max-pending-logins", "1", "--hash-threads", "1", "--bcrypt-cost", "13"};
  ServerProcess server(opts);
  ASSERT_TRUE(server.started()) << server.error();
  Net net;
  const Target target{"127.0.0.1", server.port(), server.ca_file()};
  auto first = net.connect(target);
  auto second = net.connect(target);
  ASSERT_TRUE(first && second);
  first->send(MsgType::Login, proto::encode_login({"ghost1", "x"}));
  second->send(MsgType::Login, proto::encode_login({"ghost2", "x"}));
  auto a = first->next(60s);
  auto b = second->next(60s);
  ASSERT_TRUE(a && b);
  const bool first_busy = a->msg.find("Server busy") != std::string::npos;
  const proto::Pdu& busy = first_busy ? *a : *b;
  const proto::Pdu& checked = first_busy ? *b : *a;
  EXPECT_EQ(busy.type, MsgType::LoginUnsuccessfulRetry);
  EXPECT_EQ(proto::decode_error(busy.msg)->error, "Server busy. Try again later.");
  EXPECT_EQ(checked.type, MsgType::LoginUnsuccessfulRetry);
  EXPECT_EQ(proto::decode_error(checked.msg)->error, "Invalid credentials. Attempts left: 2");
  EXPECT_TRUE(server.wait_for_log("login_queue_full", 5s)) << server.log();
  Peer& refused = first_busy ? *first : *second;
  refused.send(MsgType::Login, proto::encode_login({"alice", "p1"}));
  EXPECT_TRUE(refused.expect(MsgType::LoginAck, 60s));
  EXPECT_TRUE(server.wait_for_log("login_queue_ok", 5s)) << server.log();
}

}  // namespace
}  // namespace qc::itest
