// Issue 15 item 8: a client of the original protocol (ALPN echo-protocol) reads one PDU per
// receive event, so the server never sends it a PDU longer than one packet: the sender of a
// message too long for it gets an error naming it, and shorter messages still arrive.
#include <gtest/gtest.h>

#include <cstdio>

#include "support/peer.h"
#include "support/server_process.h"

namespace qc::itest {
namespace {

using proto::MsgType;

TEST(PacketLimit, LongMessageIsRefusedForAnEchoProtocolReaderThatStillGetsShortOnes) {
  ServerProcess server;
  ASSERT_TRUE(server.started()) << server.error();
  Net net;
  auto bob = net.connect({"127.0.0.1", server.port(), server.ca_file(), {"echo-protocol"}});
  auto alice = net.connect({"127.0.0.1", server.port(), server.ca_file(), {"quicchat"}});
  ASSERT_TRUE(bob && alice);
  bob->read_like_the_original();
  const proto::UserList bob_ack = bob->login("bob", "p2");
  ASSERT_EQ(bob_ack.size(), 1u);
  ASSERT_FALSE(alice->login("alice", "p1").empty());
  ASSERT_TRUE(bob->expect(MsgType::LoginBroadcast));
  const std::string bob_id = std::to_string(bob_ack.front().user_id);

  const std::string long_text(3000, 'L');
  alice->send(MsgType::OneToOne, proto::encode_one_to_one({bob_id, long_text}));
  auto refused = alice->expect(MsgType::MsgUnsuccessful);
  auto error = proto::decode_error(refused ? refused->msg : "");
  const std::string error_text = error ? error->error : "(none)";
  EXPECT_EQ(error_text,
            "Message too long for bob (their client takes at most 1040 bytes per message)");

  alice->send(MsgType::OneToOne, proto::encode_one_to_one({bob_id, "short one"}));
  auto delivered = bob->expect(MsgType::OneToOne);
  ASSERT_TRUE(delivered);
  auto delivery = proto::decode_delivery(delivered->msg);
  ASSERT_TRUE(delivery);
  EXPECT_EQ(delivery->msg, "short one");
  EXPECT_EQ(bob->broken_reads(), 0u) << "bob's reader saw a PDU split over receive events";
  std::printf(
      "packet limit: a %zu-character message refused for the echo-protocol reader (%s), "
      "the short one after it delivered, %zu broken reads\n",
      long_text.size(), error_text.c_str(), bob->broken_reads());
}

}  // namespace
}  // namespace qc::itest
