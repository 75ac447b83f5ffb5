// Checks shared by the v2 decoder tests: a body that must decode, a body that must be refused.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "proto/v2/codec.h"

namespace qc::proto::v2 {

inline Frame decode_ok(std::string_view body) {
  auto decoded = decode_body(body);
  EXPECT_TRUE(decoded.ok()) << body << ": " << (decoded.ok() ? "" : decoded.error().detail);
  return decoded.ok() ? *decoded : Frame(Unknown{"<failed>", {}});
}

// Decoding must fail with `code` and a detail containing `detail`.
inline void expect_error(std::string_view body, DecodeErrc code, std::string_view detail,
                         const DecodeLimits& limits = {}) {
  auto decoded = decode_body(body, limits);
  ASSERT_FALSE(decoded.ok()) << body;
  EXPECT_EQ(decode_errc_name(decoded.error().code), decode_errc_name(code)) << body;
  EXPECT_THAT(decoded.error().detail, ::testing::HasSubstr(std::string(detail))) << body;
}

}  // namespace qc::proto::v2
