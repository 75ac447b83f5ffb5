#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <optional>
#include <random>

#include "conformance/v2_suite.h"
#include "proto/alpn.h"

namespace qc::conformance {

void V2Test::SetUp() {
  if (negotiated_alpn() != proto::kAlpnQuicchat)
    GTEST_SKIP() << "the server chose the ALPN '" << negotiated_alpn()
                 << "': protocol v2 is offered only on quicchat";
}

std::string V2Test::negotiated_alpn() {
  static std::optional<std::string> alpn;
  if (!alpn) {
    auto probe = connect();
    if (!probe) return "";
    alpn = probe->info().alpn;
  }
  return *alpn;
}

std::unique_ptr<itest::V2Peer> V2Test::v2_connect(std::size_t user) {
  std::string error;
  auto peer = itest::V2Peer::connect(net_, config().target_of(user), &error);
  EXPECT_TRUE(peer) << "cannot connect: " << error;
  return peer;
}

std::unique_ptr<itest::V2Peer> V2Test::v2_login(std::size_t i, const std::string& device,
                                                v2::Welcome* welcome) {
  auto peer = v2_connect(i);
  if (!peer) return nullptr;
  auto got = peer->login(user(i).name, user(i).password, device);
  EXPECT_TRUE(got) << user(i).name << " could not log in with v2";
  if (!got) return nullptr;
  if (welcome) *welcome = *got;
  return peer;
}

std::string unique_cid() {
  static const std::uint64_t run =
      std::random_device{}() ^ (std::uint64_t{std::random_device{}()} << 32);
  static std::atomic<int> count{0};
  char buf[40];
  std::snprintf(buf, sizeof buf, "conf-%016llx-%d", static_cast<unsigned long long>(run), ++count);
  return buf;
}

std::string direct_conv(std::uint64_t a, std::uint64_t b) {
  return "d:" + std::to_string(std::min(a, b)) + ":" + std::to_string(std::max(a, b));
}

}  // namespace qc::conformance
