// libFuzzer: what comes off the cluster's bus channel (any subscriber may publish there) and the
// --cluster URL. A frame decodes to an origin and a payload that encode back to the same bytes,
// or is refused; a URL parses to a host and a port that is never 0, or is refused with a reason
// that never repeats a password.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cluster/bus_frame.h"
#include "cluster/redis_config.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto frame = qc::cluster::decode_bus_frame(input)) {
    check(!frame->origin.empty() && frame->origin.find('\n') == std::string_view::npos);
    check(qc::cluster::encode_bus_frame(frame->origin, frame->payload) == input);
  }
  auto url = qc::cluster::parse_redis_url(input);
  if (url) {
    check(!url->host.empty() && url->port != 0 && url->user.find(':') == std::string::npos);
  } else {
    check(!url.error().message.empty());
  }
  return 0;
}
