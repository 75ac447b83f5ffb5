// A server killed with SIGKILL and started again on its port with the same secret file resets
// the connections of its predecessor at their next packet (a stateless reset, RFC 9000 10.3):
// the client learns at once that its connection is gone instead of after the 120 s idle
// timeout. Without the file's secret (lost, so created anew) nothing tells the client.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "support/peer.h"
#include "support/server_process.h"

namespace qc::itest {
namespace {

using proto::MsgType;
using Clock = std::chrono::steady_clock;

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ServerRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server.started()) << server.error();
    secret_path = server.dir() + "/server.secret";
    ASSERT_TRUE(server.wait_for_log("secret_file path=" + secret_path + " state=created", 5s))
        << server.log();
    alice = net.connect({"127.0.0.1", server.port(), server.ca_file()});
    ASSERT_TRUE(alice);
    ASSERT_FALSE(alice->login("alice", "p1").empty());
  }

  // kill -9, restart on the same port, then one ALIVE from alice's old connection: how long
  // until it is closed, and how (nullopt: not within `wait`).
  std::optional<quic::CloseInfo> kill_restart_and_send(std::chrono::milliseconds wait,
                                                       Clock::duration* took) {
    EXPECT_TRUE(server.restart_after_kill()) << server.error();
    const auto sent = Clock::now();
    alice->send(MsgType::Alive, std::string(proto::kAliveText));
    auto closed = alice->wait_closed(wait);
    *took = Clock::now() - sent;
    return closed;
  }

  ServerProcess server;
  std::string secret_path;
  Net net;
  std::unique_ptr<Peer> alice;
};

TEST_F(ServerRestart, TheSameSecretFileResetsTheOldConnectionAtItsNextPacket) {
  struct stat st {};
  ASSERT_EQ(stat(secret_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  const std::string secret_hex = file_text(secret_path).substr(0, 64);

  Clock::duration took{};
  auto closed = kill_restart_and_send(std::chrono::seconds(5), &took);
  EXPECT_NE(server.log().find("secret_file path=" + secret_path + " state=loaded"),
            std::string::npos)
      << server.log();
  ASSERT_TRUE(closed) << "not closed within 5 s of its first packet to the restarted server";
  EXPECT_EQ(closed->kind, quic::CloseKind::StatelessReset) << closed->reason;
  const double ms = std::chrono::duration<double, std::milli>(took).count();
  std::printf("stateless reset recognised %.1f ms after the first packet to the restarted server\n",
              ms);
  EXPECT_LT(ms, 3000.0);
  EXPECT_EQ(server.log().find(secret_hex), std::string::npos) << "the secret is never logged";

  auto again = net.connect({"127.0.0.1", server.port(), server.ca_file()});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->login("alice", "p1").empty());
}

TEST_F(ServerRestart, ALostSecretFileCostsOnlyTheResetOfOldConnections) {
  ASSERT_EQ(std::remove(secret_path.c_str()), 0);
  Clock::duration took{};
  auto closed = kill_restart_and_send(std::chrono::seconds(2), &took);
  EXPECT_NE(server.log().find("secret_file path=" + secret_path + " state=created"),
            std::string::npos)
      << server.log();
  // A bounded wait, not a synchronisation: the old connection hears nothing it recognises.
  EXPECT_FALSE(closed) << "closed by " << quic::close_kind_name(closed->kind);

  auto again = net.connect({"127.0.0.1", server.port(), server.ca_file()});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->login("alice", "p1").empty());
}

}  // namespace
}  // namespace qc::itest
