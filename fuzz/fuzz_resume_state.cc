// libFuzzer: the client's resume file (client/resume_state.h), read back after a crash, so any
// bytes may be there. A file decodes to a state that survives a round trip through the encoder,
// or to an error with a reason; never a crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "client/resume_state.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto state = qc::client::decode_resume_state(text);
  if (!state) {
    check(!state.error().message.empty());
    return 0;
  }
  auto again = qc::client::decode_resume_state(qc::client::encode_resume_state(*state));
  check(again.ok() && *again == *state);
  return 0;
}
