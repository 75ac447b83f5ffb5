// libFuzzer: the v2 frame reader. The first two bytes choose a split point for the rest; the
// events must not depend on the chunking (whole, two chunks, byte by byte, or stopping after
// every event and resuming), the reader never buffers more than the limit, and every body has
// a length between 1 and the limit.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "chunkings.h"
#include "proto/v2/framer.h"

namespace {

using qc::proto::FrameEvent;
using qc::proto::v2::FrameReader;

constexpr std::size_t kMaxFrame = 512;

void check(bool ok) {
  if (!ok) std::abort();
}

void record(const FrameEvent& e, std::vector<std::string>& events) {
  if (e.kind == FrameEvent::Kind::Pdu) {
    check(!e.pdu.empty() && e.pdu.size() <= kMaxFrame);
    events.emplace_back(e.pdu);
  } else {
    check(!e.detail.empty());
    events.push_back("error:" + std::string(qc::proto::frame_errc_name(e.error)));
  }
}

std::vector<std::string> run(const std::vector<std::string_view>& chunks) {
  FrameReader reader(kMaxFrame);
  std::vector<std::string> events;
  for (std::string_view chunk : chunks) {
    const std::size_t consumed = reader.feed(chunk, [&](const FrameEvent& e) {
      record(e, events);
      return true;
    });
    check(consumed == chunk.size());
    check(reader.buffered_bytes() <= kMaxFrame);
  }
  return events;
}

// Stops after every event and feeds the rest of the chunk again.
std::vector<std::string> run_stopping(std::string_view stream) {
  FrameReader reader(kMaxFrame);
  std::vector<std::string> events;
  while (!stream.empty()) {
    const std::size_t before = events.size();
    const std::size_t consumed = reader.feed(stream, [&](const FrameEvent& e) {
      record(e, events);
      return false;
    });
    check(consumed <= stream.size());
    check(events.size() == before + 1 || consumed == stream.size());
    stream.remove_prefix(consumed);
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view stream = qc::fuzz::check_chunkings(data, size, run);
  check(run_stopping(stream) == run({stream}));
  return 0;
}
