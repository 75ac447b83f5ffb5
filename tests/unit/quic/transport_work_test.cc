// The server's transport work per datagram, counted: a read that leaves nothing to send writes
// nothing, and a read that does (a loss the ACK reveals) still writes at once.
#include <functional>
#include <string>
#include <tuple>
#include <utility>

#include "transport_fixture.h"

namespace qc::quic::testing {
namespace {

class TransportWorkTest : public TransportTest {
 protected:
  // A session whose handshake, its ACKs and the hello are all done.
  std::pair<ConnHandle, ConnHandle> settled_chat() {
    auto conns = open_chat();
    run_for(std::chrono::milliseconds(500));
    return conns;
  }

  // With datagrams held: the server writes `pdu` in a packet of its own, which is held.
  bool server_packet(ConnHandle s, const std::string& pdu) {
    const std::size_t held = net->held();
    return server_send(s, pdu) && run_until([&] { return net->held() > held; });
  }
};

// The client's ACK of a delivery asks for nothing: the server reads it and writes nothing, not
// then and not when the loss timer armed for the delivery would have fired.
TEST_F(TransportWorkTest, AnAckAloneMakesTheServerWriteNothing) {
  ConnHandle c = 0, s = 0;
  std::tie(c, s) = settled_chat();
  ASSERT_NE(s, 0u);
  net->hold(true);
  ASSERT_TRUE(server_packet(s, "x"));
  ASSERT_EQ(net->release(), 1u);
  ASSERT_TRUE(run_until([&] { return client_h.received[c] == "x" && net->held() == 1; }));
  const Stats before = server->stats();
  net->hold(false);
  ASSERT_EQ(net->release(), 1u);  // the client's ACK
  run_for(std::chrono::seconds(1));  // well past the delivery's probe timeout
  const Stats after = server->stats();
  EXPECT_EQ(after.datagrams_received, before.datagrams_received + 1);
  EXPECT_EQ(server_queued(s), 0u) << "the ACK was read";
  EXPECT_EQ(after.conn_writes, before.conn_writes) << "write loops after a read of an ACK";
  EXPECT_EQ(after.datagrams_sent, before.datagrams_sent);
}

// The ACK that reveals a lost packet (three later ones acknowledged) asks for a resend at once,
// not a probe timeout later.
TEST_F(TransportWorkTest, AnAckThatRevealsALossIsAnsweredAtOnce) {
  ConnHandle c = 0, s = 0;
  std::tie(c, s) = settled_chat();
  ASSERT_NE(s, 0u);
  net->hold(true);
  for (const char* pdu : {"1", "2", "3", "4"}) ASSERT_TRUE(server_packet(s, pdu));
  bool first = true;
  ASSERT_EQ(net->drop_held([&](const Datagram&) { return std::exchange(first, false); }), 1u);
  net->hold(false);
  ASSERT_EQ(net->release(), 3u);
  const std::uint64_t received = server->stats().datagrams_received;
  ASSERT_TRUE(run_until([&] { return server->stats().datagrams_received > received; }));
  const TimePoint ack_read = loop->now();
  ASSERT_TRUE(run_until([&] { return client_h.received[c] == "1234"; }));
  // One network delay (1 ms) each way at most, for the resend and what follows it; a probe
  // timeout is tens of milliseconds here.
  EXPECT_LE(loop->now() - ack_read, std::chrono::milliseconds(3));
}

}  // namespace
}  // namespace qc::quic::testing
