// libFuzzer: the admin socket's request decoder. Any line decodes to a request that survives a
// round trip through the encoder (an account change keeps its invariants), or to an error with a
// reason; the reply encoder always produces one line the reply decoder reads back.
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
  check(!qc::ops::command_name(*request).empty());
  if (const auto* kick = std::get_if<qc::ops::KickRequest>(&*request)) {
    check(!kick->name.empty() && kick->reason.size() <= qc::ops::kMaxKickReasonBytes);
  }
  // An account change has a name, and a password (no NUL, within the limit) exactly when it is
  // not a del.
  if (const auto* account = std::get_if<qc::ops::AccountRequest>(&*request)) {
    const bool del = account->op == qc::ops::AccountRequest::Op::Del;
    check(!account->name.empty() && account->password.empty() == del &&
          account->password.size() <= qc::ops::kMaxAdminPasswordBytes &&
          account->password.find('\0') == std::string::npos);
  }
  return 0;
}
