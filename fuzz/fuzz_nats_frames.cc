// libFuzzer: the peer bench's NATS frame reader. The first two bytes choose a split point for
// the rest; the frames (and where the stream breaks) must not depend on the split, and no frame
// exceeds the limits.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench/peers/nats_frames.h"
#include "chunkings.h"

namespace {

constexpr std::size_t kMaxControl = 256;
constexpr std::size_t kMaxPayload = 1024;

void check(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string> run(const std::vector<std::string_view>& chunks) {
  qc::peers::NatsFrameReader reader(kMaxControl, kMaxPayload);
  std::vector<std::string> events;
  for (std::string_view chunk : chunks) {
    reader.feed(chunk);
    while (auto frame = reader.next()) {
      check(frame->payload.size() <= kMaxPayload && frame->subject.size() <= kMaxControl);
      events.push_back(std::to_string(static_cast<int>(frame->kind)) + "|" +
                       std::string(frame->subject) + "|" + std::string(frame->sid) + "|" +
                       std::string(frame->payload));
    }
    if (!reader.failed().empty()) {
      events.push_back("error: " + reader.failed());
      break;
    }
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qc::fuzz::check_chunkings(data, size, run);
  return 0;
}
