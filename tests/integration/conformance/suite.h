// The conformance suite: protocol-level tests of any server speaking quicchat protocol v1,
// the seed's original included, and of any v2 server (v2_suite.h, the V2* tests, over the ALPN
// quicchat). Run against our own server by ctest, or by hand:
//   make conformance SERVER=127.0.0.1:4433 ALPN=echo-protocol USERS=alice:p1,bob:p2,cam:p3 CA=...
// Tests of behaviour where the original has a known defect are named FixedDefect_*: they check
// the fixed behaviour, so they are expected to fail against the original.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/peer.h"
#include "support/server_process.h"

namespace qc::conformance {

struct SuiteConfig {
  itest::Target target;
  // A cluster (--servers): user i's clients connect to nodes[i % n], so each of the three users
  // is on a different node; empty: every client connects to `target`.
  std::vector<itest::Target> nodes;
  const itest::Target& target_of(std::size_t user) const {
    return nodes.empty() ? target : nodes[user % nodes.size()];
  }
  std::vector<itest::Account> users;  // at least three
  // Optional timings of the server under test; tests that need them are skipped when unknown.
  std::optional<std::chrono::milliseconds> login_retry_window;
  std::optional<std::chrono::milliseconds> keepalive_timeout;
};

const SuiteConfig& config();

// A Net plus helpers shared by the tests.
class ConformanceTest : public ::testing::Test {
 protected:
  std::unique_ptr<itest::Peer> connect(std::size_t user = 0);  // to users()[user]'s server
  // Connects and logs in users()[i]; fails the test if it can't.
  std::unique_ptr<itest::Peer> login(std::size_t i);
  const itest::Account& user(std::size_t i) const { return config().users.at(i); }

  itest::Net net_;
};

std::string error_of(const proto::Pdu& pdu);         // the "error" of an error reply
proto::Delivery delivery_of(const proto::Pdu& pdu);  // a decoded delivery
std::vector<std::string> names_of(const proto::UserList& users);

}  // namespace qc::conformance
