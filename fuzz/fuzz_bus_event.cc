// libFuzzer: the cluster's bus events (another node's payloads). Whatever decodes must re-encode
// to a payload that decodes to the same event, and encoding must be a fixed point; a refusal
// always says why.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/bus/codec.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bus = qc::proto::bus;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto event = bus::decode(input);
  if (!event.ok()) {
    check(!event.error().detail.empty());
    return 0;
  }
  const std::string payload = bus::encode(*event);
  auto again = bus::decode(payload, {SIZE_MAX, 16});
  check(again.ok());
  check(*again == *event);
  check(bus::encode(*again) == payload);
  check(bus::event_name(*again) == bus::event_name(*event));
  return 0;
}
