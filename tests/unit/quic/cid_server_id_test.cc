// --cid-server-id: every connection ID the server gives the client (the handshake's, a Retry's,
// those of NEW_CONNECTION_ID frames) names the server in QUIC-LB's unencrypted format.
#include "quic/quic_lb.h"
#include "quic/test_hooks.h"
#include "transport_fixture.h"

namespace qc::quic::testing {
namespace {

using Cids = std::vector<std::vector<std::uint8_t>>;

class CidServerIdTest : public TransportTest {
 protected:
  // Connects; the server connection's IDs once it has given at least the handshake's and one
  // more (NEW_CONNECTION_ID).
  Cids connect_and_collect_cids() {
    ConnHandle c = connect();
    Cids cids;
    if (!both_open(c)) return cids;
    run_until([&] {
      cids = test_server_cids(*server, server_conn());
      return cids.size() >= 2;
    });
    return cids;
  }
};

TEST_F(CidServerIdTest, EveryConnectionIdNamesTheServer) {
  const std::vector<std::uint8_t> server_id = {0x0c, 0x1d, 0x2e};
  ServerOptions so = server_options();
  so.cid_server_id = server_id;
  so.retry = RetryMode::Always;  // the Retry's SCID too: the client's next Initial goes to it
  start_server(so);
  const Cids cids = connect_and_collect_cids();
  ASSERT_GE(cids.size(), 2u);
  for (const auto& cid : cids) {
    auto decoded = decode_lb_cid(cid, server_id.size());
    ASSERT_TRUE(decoded) << hex_of(cid);
    EXPECT_EQ(decoded->server_id, server_id) << hex_of(cid);
    EXPECT_EQ(decoded->config_rotation, 0);
  }
  EXPECT_NE(cids[0], cids[1]);  // the nonces differ
  EXPECT_EQ(server_h.peers[server_conn()].scid.substr(2, 6), "0c1d2e");
  ASSERT_TRUE(client->send(client_h.opened.front(), make_shared_bytes("routed")));
  ASSERT_TRUE(run_until([&] { return server_h.received[server_conn()] == "routed"; }));
}

TEST_F(CidServerIdTest, WithoutAServerIdConnectionIdsAreRandom) {
  start_server();
  const Cids cids = connect_and_collect_cids();
  ASSERT_GE(cids.size(), 2u);
  EXPECT_NE(std::vector<std::uint8_t>(cids[0].begin() + 1, cids[0].begin() + 4),
            std::vector<std::uint8_t>(cids[1].begin() + 1, cids[1].begin() + 4));
}

TEST_F(CidServerIdTest, AServerIdOfMoreThanEightBytesIsRefused) {
  ServerOptions so = server_options();
  so.cid_server_id = std::vector<std::uint8_t>(9, 1);
  auto s = make_server(so);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("1 to 8 bytes"), std::string::npos);
}

}  // namespace
}  // namespace qc::quic::testing
