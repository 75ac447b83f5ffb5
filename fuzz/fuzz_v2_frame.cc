// libFuzzer: the v2 codec. Whatever decodes must re-encode to a body that decodes to the same
// frame, and encoding must be a fixed point; a refusal always says why.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "proto/v2/codec.h"

namespace {

using namespace qc::proto;

// A re-encoded frame can be longer than its input (a request without "rid" gains "rid":0).
const DecodeLimits kUnlimited{std::numeric_limits<std::size_t>::max(), 16};

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto frame = v2::decode_body(input);
  const auto rid = v2::request_id_of(input);
  check(!rid || *rid <= v2::kMaxRequestId);
  if (!frame.ok()) {
    check(!frame.error().detail.empty());
    return 0;
  }
  const std::string body = v2::encode_body(*frame);
  auto again = v2::decode_body(body, kUnlimited);
  check(again.ok());
  check(*again == *frame);
  check(v2::encode_body(*again) == body);
  const std::string framed = v2::encode_frame(*frame);
  check(framed.size() == v2::kLengthPrefixBytes + body.size() &&
        framed.substr(v2::kLengthPrefixBytes) == body);
  check(v2::frame_type_name(*frame) == v2::frame_type_name(*again));
  return 0;
}
