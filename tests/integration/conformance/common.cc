#include <gtest/gtest.h>

#include "conformance/suite.h"

namespace qc::conformance {

std::unique_ptr<itest::Peer> ConformanceTest::connect(std::size_t user) {
  std::string error;
  auto peer = net_.connect(config().target_of(user), &error);
  EXPECT_TRUE(peer) << "cannot connect: " << error;
  return peer;
}

std::unique_ptr<itest::Peer> ConformanceTest::login(std::size_t i) {
  auto peer = connect(i);
  if (!peer) return nullptr;
  auto users = peer->login(user(i).name, user(i).password);
  EXPECT_FALSE(users.empty()) << user(i).name << " could not log in";
  return peer;
}

std::string error_of(const proto::Pdu& pdu) {
  auto e = proto::decode_error(pdu.msg);
  EXPECT_TRUE(e.ok()) << "not an error reply: " << pdu.msg;
  return e ? e->error : std::string();
}

proto::Delivery delivery_of(const proto::Pdu& pdu) {
  auto d = proto::decode_delivery(pdu.msg);
  EXPECT_TRUE(d.ok()) << "not a delivery: " << pdu.msg;
  return d ? *d : proto::Delivery{};
}

std::vector<std::string> names_of(const proto::UserList& users) {
  std::vector<std::string> names;
  for (const auto& u : users) names.push_back(u.username);
  return names;
}

}  // namespace qc::conformance
