// libFuzzer: the v1 codec. Whatever decodes must re-encode to something that decodes to the
// same value (envelope and every typed view), and the encoder must be a fixed point.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "proto/codec.h"

namespace {

using namespace qc::proto;

const DecodeLimits kUnlimited{std::numeric_limits<std::size_t>::max(), 16};

void check(bool ok) {
  if (!ok) std::abort();
}

template <class T, class Encode, class Decode>
void round_trip(std::string_view input, Encode encode_fn, Decode decode_fn) {
  auto first = decode_fn(input, DecodeLimits{});
  if (!first.ok()) {
    check(!first.error().detail.empty());
    return;
  }
  const std::string encoded = encode_fn(*first);
  auto second = decode_fn(encoded, kUnlimited);
  check(second.ok());
  check(*second == *first);
  check(encode_fn(*second) == encoded);
}

void typed_views(std::string_view input) {
  round_trip<VersionsRequest>(input, encode_versions_request, decode_versions_request);
  round_trip<VersionsReply>(input, encode_versions_reply, decode_versions_reply);
  round_trip<LoginRequest>(input, encode_login, decode_login);
  round_trip<UserList>(input, encode_user_list, decode_user_list);
  round_trip<OneToOneRequest>(input, encode_one_to_one, decode_one_to_one);
  round_trip<OneToManyRequest>(input, encode_one_to_many, decode_one_to_many);
  round_trip<BroadcastRequest>(input, encode_broadcast, decode_broadcast);
  round_trip<Delivery>(input, encode_delivery, decode_delivery);
  round_trip<ErrorReply>(input, encode_error, decode_error);
  round_trip<SysReply>(input, encode_sys, decode_sys);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto pdu = decode(input);
  if (pdu.ok()) {
    const std::string encoded = encode(*pdu);
    auto again = decode(encoded, kUnlimited);
    check(again.ok());
    check(*again == *pdu);
    check(encode(*again) == encoded);
    check(char_count(pdu->msg) <= pdu->msg.size());
    typed_views(pdu->msg);
  }
  typed_views(input);
  return 0;
}
