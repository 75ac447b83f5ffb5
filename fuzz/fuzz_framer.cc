// libFuzzer: the stream framer. The first two bytes choose a split point for the rest; the
// events must not depend on the split, buffered bytes never exceed the limit, and every PDU is a
// balanced object within the limits (only '}' closes the top level; a stray ']' there is
// kept for the decoder to reject).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "chunkings.h"
#include "proto/framer.h"

namespace {

using qc::proto::FrameEvent;
using qc::proto::StreamFramer;

constexpr std::size_t kMaxPdu = 512;
constexpr int kMaxDepth = 6;

void check(bool ok) {
  if (!ok) std::abort();
}

// Depth bookkeeping of one PDU, strings and escapes aware: must return to 0 only at the end.
void check_balanced(std::string_view pdu) {
  check(pdu.size() >= 2 && pdu.size() <= kMaxPdu && pdu.front() == '{' && pdu.back() == '}');
  int depth = 0, max_depth = 0;
  bool in_string = false, escape = false;
  for (std::size_t i = 0; i < pdu.size(); ++i) {
    const char c = pdu[i];
    if (in_string) {
      if (escape)
        escape = false;
      else if (c == '\\')
        escape = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') max_depth = std::max(max_depth, ++depth);
    if (c == '}' || (c == ']' && depth > 1)) check(--depth > 0 || i + 1 == pdu.size());
  }
  check(depth == 0 && max_depth <= kMaxDepth);
}

std::vector<std::string> run(const std::vector<std::string_view>& chunks) {
  StreamFramer framer(kMaxPdu, kMaxDepth);
  std::vector<std::string> events;
  for (std::string_view chunk : chunks) {
    framer.feed(chunk, [&](const FrameEvent& e) {
      if (e.kind == FrameEvent::Kind::Pdu) {
        check_balanced(e.pdu);
        events.emplace_back(e.pdu);
      } else {
        check(!e.detail.empty());
        events.push_back("error:" + std::string(qc::proto::frame_errc_name(e.error)));
      }
    });
    check(framer.buffered_bytes() <= kMaxPdu);
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qc::fuzz::check_chunkings(data, size, run);
  return 0;
}
