// The conformance suite's protocol v2 part (docs/PROTOCOL.md part II): tests named V2*, run
// against any v2 server through the wire only, with the accounts given by --users. On a
// connection whose ALPN is not quicchat (--alpn echo-protocol) v2 is never offered: the suite then
// checks that an offer of [1, 2] selects 1 and skips the rest.
#pragma once

#include <memory>
#include <string>

#include "conformance/suite.h"
#include "support/v2_peer.h"

namespace qc::conformance {

namespace v2 = proto::v2;

class V2Test : public ConformanceTest {
 protected:
  void SetUp() override;

  // The ALPN the server chose for the suite's target (asked once per run).
  std::string negotiated_alpn();
  std::unique_ptr<itest::V2Peer> v2_connect(std::size_t user = 0);  // to users()[user]'s server
  // Connects and logs users()[i] in with v2 (`device` empty: the server names the device);
  // nullptr, with a gtest failure, if it can't. `welcome` receives the welcome frame.
  std::unique_ptr<itest::V2Peer> v2_login(std::size_t i, const std::string& device = "",
                                          v2::Welcome* welcome = nullptr);
};

// A client message id no earlier run of the suite used: a server remembers cids for a while
// (10 minutes for ours), and the suite may run against it again within that time.
std::string unique_cid();

// The direct conversation of two accounts, by their account ids (section II.3).
std::string direct_conv(std::uint64_t a, std::uint64_t b);

template <class T>
const T* frame_as(const v2::Frame& frame) {
  return std::get_if<T>(&frame);
}

}  // namespace qc::conformance
