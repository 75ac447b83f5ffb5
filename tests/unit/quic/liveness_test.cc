// The client's liveness check and keep-alive PINGs (ClientOptions::liveness_timeout,
// keep_alive), on the memory network with a stepped clock: a server that stops answering is
// noticed in seconds of loop time, not at the 120 s idle timeout.
#include <gtest/gtest.h>

#include "transport_fixture.h"

namespace qc::quic::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class LivenessTest : public TransportTest {
 protected:
  // Opens the chat stream with "hello" from a client with the chat client's settings.
  ConnHandle open(milliseconds keep_alive = milliseconds(10'000),
                  milliseconds liveness = milliseconds(5'000)) {
    start_server();
    ClientOptions o = client_options();
    o.keep_alive = keep_alive;
    o.liveness_timeout = liveness;
    ConnHandle c = connect(o);
    if (!both_open(c) || !client->send(c, bytes("hello")) ||
        !run_until([&] { return server_h.received[server_conn()] == "hello"; })) {
      ADD_FAILURE() << "chat stream not opened";
      return 0;
    }
    run_for(milliseconds(100));  // the ACKs of the opening: nothing left in flight
    return c;
  }

  void silence_server() {
    net->drop_all(MemoryNetwork::from(address("127.0.0.1", server->local_port())));
  }

  // Runs the loop for `d` of loop time (the client's timers keep it moving).
  void run_for(Clock::duration d) {
    const TimePoint until = loop->now() + d;
    loop->add_timer(until, [] {});  // the clock jumps from timer to timer: stop right there
    run_until([&] { return loop->now() >= until; });
  }

  std::uint64_t server_datagrams() const { return server->stats().datagrams_received; }
};

TEST_F(LivenessTest, ASilentServerIsNoticedAfterTheLivenessTimeout) {
  ConnHandle c = open();
  ASSERT_NE(c, 0u);
  silence_server();
  const TimePoint sent_at = loop->now();
  auto end = client->send(c, bytes("lost?"));
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(*end, 10u) << "the stream offset after \"hello\" and \"lost?\"";
  ASSERT_TRUE(run_until([&] { return client_h.closed.contains(c); }));
  const auto took = loop->now() - sent_at;
  const CloseInfo& closed = client_h.closed[c];
  EXPECT_EQ(closed.kind, CloseKind::PeerUnresponsive) << closed.reason;
  EXPECT_EQ(closed.reason, "server not responding for 5.0 s");
  EXPECT_EQ(closed.stream_acked, 5u) << "\"hello\" was acknowledged, \"lost?\" was not";
  EXPECT_GE(took, seconds(5));
  EXPECT_LT(took, milliseconds(5'500));
  std::printf("silent server noticed after %.3f s of loop time\n",
              std::chrono::duration<double>(took).count());
}

TEST_F(LivenessTest, AnIdleClientNoticesASilentServerAtItsNextPing) {
  ConnHandle c = open();
  ASSERT_NE(c, 0u);
  const TimePoint silent_at = loop->now();
  silence_server();
  ASSERT_TRUE(run_until([&] { return client_h.closed.contains(c); }));
  EXPECT_EQ(client_h.closed[c].kind, CloseKind::PeerUnresponsive);
  // The PING leaves after 10 s idle, the close follows 5 s later.
  EXPECT_GE(loop->now() - silent_at, seconds(14));
  EXPECT_LT(loop->now() - silent_at, seconds(16));
}

TEST_F(LivenessTest, AnAnsweringServerIsKeptThroughTrafficAndIdleTime) {
  ConnHandle c = open();
  ASSERT_NE(c, 0u);
  std::string sent = "hello";
  for (int i = 0; i < 20; ++i) {
    std::string line = "line " + std::to_string(i) + ";";
    ASSERT_TRUE(client->send(c, bytes(line)));
    sent += line;
    run_for(seconds(3));
  }
  run_for(seconds(60));  // idle: PINGs only
  EXPECT_FALSE(client_h.closed.contains(c)) << client_h.closed[c].reason;
  EXPECT_EQ(server_h.received[server_conn()], sent);
}

TEST_F(LivenessTest, AnIdleClientPingsEveryKeepAliveInterval) {
  ConnHandle c = open();
  ASSERT_NE(c, 0u);
  // The seconds of loop time in which the server heard from the client (the opening's last
  // packets were 100 ms before the first).
  std::vector<int> heard;
  for (int second = 0; second < 35; ++second) {
    const std::uint64_t before = server_datagrams();
    run_for(seconds(1));
    if (server_datagrams() != before) heard.push_back(second);
  }
  EXPECT_EQ(heard, (std::vector<int>{9, 19, 29})) << "one PING after every 10 s of silence";
}

TEST_F(LivenessTest, WithoutKeepAliveAnIdleClientStaysQuiet) {
  ConnHandle c = open(milliseconds(0), milliseconds(0));
  ASSERT_NE(c, 0u);
  run_for(milliseconds(100));
  const std::uint64_t before = server_datagrams();
  silence_server();
  ASSERT_TRUE(client->send(c, bytes("lost?")));
  run_for(seconds(35));
  EXPECT_FALSE(client_h.closed.contains(c)) << "off by default: only the idle timeout applies";
  EXPECT_GT(server_datagrams(), before) << "the retransmissions still reach the server";
}

}  // namespace
}  // namespace qc::quic::testing
