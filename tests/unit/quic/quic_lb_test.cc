// QUIC-LB connection IDs (quic/quic_lb.h): the unencrypted format's layout, its round trip, what
// a load balancer refuses, the server id from hex or from a node's name.
#include "quic/quic_lb.h"

#include <gtest/gtest.h>

namespace qc::quic {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(QuicLb, LayoutIsRotationAndLengthThenServerIdThenNonce) {
  const LbConfig config{.config_rotation = 1, .server_id = {0xab, 0xcd}, .nonce_len = 15};
  const Bytes nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const Bytes cid = encode_lb_cid(config, nonce);
  ASSERT_EQ(cid.size(), 18u);
  EXPECT_EQ(cid[0], 0x20 | 17);  // rotation 1 in the 3 high bits, length - 1 in the 5 low ones
  EXPECT_EQ(cid[1], 0xab);
  EXPECT_EQ(cid[2], 0xcd);
  EXPECT_EQ(Bytes(cid.begin() + 3, cid.end()), nonce);
  auto decoded = decode_lb_cid(cid, 2);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->config_rotation, 1);
  EXPECT_EQ(decoded->server_id, config.server_id);
  EXPECT_EQ(decoded->nonce, nonce);
}

TEST(QuicLb, EveryServerIdLengthRoundTrips) {
  for (std::size_t len = 1; len <= 8; ++len) {
    LbConfig config{.server_id = Bytes(len, static_cast<std::uint8_t>(len)), .nonce_len = 17 - len};
    const Bytes cid = encode_lb_cid(config, Bytes(config.nonce_len, 0x5a));
    ASSERT_EQ(cid.size(), 18u) << len;
    auto decoded = decode_lb_cid(cid, len);
    ASSERT_TRUE(decoded) << len;
    EXPECT_EQ(decoded->server_id, config.server_id);
  }
}

TEST(QuicLb, BadConfigurationsAreRefused) {
  EXPECT_FALSE(check_lb_config({.config_rotation = 7, .server_id = {1}, .nonce_len = 4}));
  EXPECT_FALSE(check_lb_config({.server_id = {}, .nonce_len = 4}));
  EXPECT_FALSE(check_lb_config({.server_id = Bytes(16, 1), .nonce_len = 4}));
  EXPECT_FALSE(check_lb_config({.server_id = {1}, .nonce_len = 3}));
  EXPECT_FALSE(check_lb_config({.server_id = Bytes(15, 1), .nonce_len = 5}));  // 21 bytes
  EXPECT_TRUE(check_lb_config({.server_id = Bytes(15, 1), .nonce_len = 4}));
  // A nonce of the wrong length makes no CID.
  EXPECT_TRUE(encode_lb_cid({.server_id = {1}, .nonce_len = 4}, Bytes(3, 0)).empty());
}

TEST(QuicLb, ALoadBalancerRefusesWhatItCannotRoute) {
  Bytes cid = encode_lb_cid({.server_id = {9, 9}, .nonce_len = 15}, Bytes(15, 0));
  EXPECT_FALSE(decode_lb_cid(Bytes(cid.begin(), cid.end() - 1), 2));  // length byte disagrees
  Bytes unroutable = cid;
  unroutable[0] = static_cast<std::uint8_t>(0xe0 | 17);
  EXPECT_FALSE(decode_lb_cid(unroutable, 2));
  EXPECT_FALSE(decode_lb_cid(Bytes{0x06, 1, 2, 3, 4, 5, 6}, 3));  // no room for a 4-byte nonce
  EXPECT_FALSE(decode_lb_cid(Bytes{}, 1));
  EXPECT_FALSE(decode_lb_cid(cid, 0));
  EXPECT_FALSE(decode_lb_cid(cid, 16));
  EXPECT_FALSE(decode_lb_cid(Bytes(21, 20), 1));  // longer than QUIC allows
}

TEST(QuicLb, ServerIdFromHex) {
  EXPECT_EQ(*parse_server_id_hex("0a1B"), (Bytes{0x0a, 0x1b}));
  EXPECT_EQ(parse_server_id_hex("0102030405060708")->size(), 8u);
  EXPECT_FALSE(parse_server_id_hex(""));
  EXPECT_FALSE(parse_server_id_hex("abc"));                 // odd
  EXPECT_FALSE(parse_server_id_hex("010203040506070809"));  // 9 bytes
  EXPECT_FALSE(parse_server_id_hex("zz"));
  EXPECT_EQ(hex_of(Bytes{0x0a, 0xff}), "0aff");
}

TEST(QuicLb, ServerIdFromTheNodeNameIsStableAndDiffers) {
  EXPECT_EQ(server_id_from_node_id("node-a").size(), 2u);
  EXPECT_EQ(server_id_from_node_id("node-a"), server_id_from_node_id("node-a"));
  EXPECT_NE(server_id_from_node_id("node-a"), server_id_from_node_id("node-b"));
  // SHA-256("abc") starts ba 78 16 bf.
  EXPECT_EQ(server_id_from_node_id("abc", 4), (Bytes{0xba, 0x78, 0x16, 0xbf}));
}

}  // namespace
}  // namespace qc::quic
