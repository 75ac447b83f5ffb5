// The keys from a server's secret, and Retry tokens: nodes sharing a secret file accept each
// other's tokens; another secret, another client address or a stale token is refused.
#include "quic/server_keys.h"

#include <gtest/gtest.h>

#include <cstring>

namespace qc::quic {
namespace {

std::vector<std::uint8_t> secret(std::uint8_t fill) { return std::vector<std::uint8_t>(32, fill); }

ngtcp2_cid cid_of(std::uint8_t fill) {
  ngtcp2_cid cid{};
  cid.datalen = 18;
  std::memset(cid.data, fill, cid.datalen);
  return cid;
}

SockAddr client_at(const char* address, std::uint16_t port) {
  auto resolved = resolve_address(address, port);
  EXPECT_TRUE(resolved);
  return *resolved;
}

constexpr std::uint32_t kVersion = NGTCP2_PROTO_VER_V1;
constexpr std::uint64_t kNow = 1'000'000'000'000;
constexpr std::chrono::nanoseconds kLifetime = std::chrono::seconds(10);

TEST(ServerKeys, ResetAndRetryKeysDifferAndFollowTheSecret) {
  const ServerKeys a = derive_server_keys(secret(1));
  EXPECT_NE(a.reset, a.retry);
  EXPECT_EQ(derive_server_keys(secret(1)).retry, a.retry);
  EXPECT_NE(derive_server_keys(secret(2)).retry, a.retry);
}

TEST(ServerKeys, ANodeWithTheSameSecretAcceptsTheOthersRetryToken) {
  const ServerKeys node_a = derive_server_keys(secret(7));
  const ServerKeys node_b = derive_server_keys(secret(7));  // its own process, the same file
  const SockAddr client = client_at("192.0.2.10", 50000);
  const ngtcp2_cid retry_scid = cid_of(0x11);
  const ngtcp2_cid odcid = cid_of(0x22);
  const auto token = make_retry_token(node_a.retry, kVersion, client, retry_scid, odcid, kNow);
  ASSERT_FALSE(token.empty());
  auto checked =
      check_retry_token(node_b.retry, token, kVersion, client, retry_scid, kLifetime, kNow + 1000);
  ASSERT_TRUE(checked);
  EXPECT_TRUE(ngtcp2_cid_eq(&*checked, &odcid));
}

TEST(ServerKeys, AnotherSecretOrClientOrAStaleTokenIsRefused) {
  const ServerKeys node_a = derive_server_keys(secret(7));
  const SockAddr client = client_at("192.0.2.10", 50000);
  const ngtcp2_cid retry_scid = cid_of(0x11);
  const auto token =
      make_retry_token(node_a.retry, kVersion, client, retry_scid, cid_of(0x22), kNow);
  ASSERT_FALSE(token.empty());
  EXPECT_FALSE(check_retry_token(derive_server_keys(secret(8)).retry, token, kVersion, client,
                                 retry_scid, kLifetime, kNow));
  EXPECT_FALSE(check_retry_token(node_a.retry, token, kVersion, client_at("192.0.2.11", 50000),
                                 retry_scid, kLifetime, kNow));
  EXPECT_FALSE(
      check_retry_token(node_a.retry, token, kVersion, client, cid_of(0x33), kLifetime, kNow));
  EXPECT_FALSE(check_retry_token(node_a.retry, token, kVersion, client, retry_scid, kLifetime,
                                 kNow + 11'000'000'000ull));
  // The reset key does not open Retry tokens.
  EXPECT_FALSE(
      check_retry_token(node_a.reset, token, kVersion, client, retry_scid, kLifetime, kNow));
}

}  // namespace
}  // namespace qc::quic
