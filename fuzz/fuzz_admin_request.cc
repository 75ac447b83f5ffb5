// libFuzzer: the admin socket's request decoder. Any line decodes to a request that survives a
// round trip through the encoder, or to an error with a reason; the reply encoder always
// produces one line the reply decoder reads back.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ops/admin_protocol.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto request = qc::ops::decode_admin_request(line);
  if (!request) {
    check(!request.error().message.empty());
    const std::string reply =
        qc::ops::encode_admin_reply(qc::ops::admin_error(request.error().message));
    check(reply.find('\n') == std::string::npos);
    auto back = qc::ops::decode_admin_reply(reply);
    check(back.ok() && !back->ok && back->error == request.error().message);
    return 0;
  }
  auto again = qc::ops::decode_admin_request(qc::ops::encode_admin_request(*request));
  check(again.ok() && *again == *request);
  if (const auto* kick = std::get_if<qc::ops::KickRequest>(&*request)) {
    check(!kick->name.empty() && kick->reason.size() <= qc::ops::kMaxKickReasonBytes);
  }
  return 0;
}
