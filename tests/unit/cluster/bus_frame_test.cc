#include "cluster/bus_frame.h"

#include <gtest/gtest.h>

namespace qc::cluster {
namespace {

TEST(BusFrame, RoundTripKeepsBinaryPayloads) {
  const std::string payload = std::string("a\nb\0c", 5);
  const std::string frame = encode_bus_frame("node-1", payload);
  auto decoded = decode_bus_frame(frame);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->origin, "node-1");
  EXPECT_EQ(decoded->payload, payload);
  auto empty = decode_bus_frame(encode_bus_frame("n", ""));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->payload, "");
}

TEST(BusFrame, RefusesFramesWithoutAnOrigin) {
  EXPECT_FALSE(decode_bus_frame(""));
  EXPECT_FALSE(decode_bus_frame("no newline"));
  EXPECT_FALSE(decode_bus_frame("\npayload"));
  EXPECT_FALSE(decode_bus_frame(std::string(65, 'x') + "\np"));
  EXPECT_TRUE(decode_bus_frame(std::string(64, 'x') + "\np"));
}

}  // namespace
}  // namespace qc::cluster
