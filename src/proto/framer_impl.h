// Template part of StreamFramer: the scanning itself is in framer.cc.
#pragma once

namespace qc::proto {

template <class OnEvent>
void StreamFramer::feed(std::string_view chunk, OnEvent&& on_event) {
  begin_chunk();
  FrameEvent event;
  std::size_t pos = 0;
  while (pos < chunk.size()) {
    if (next_event(chunk, pos, event)) on_event(static_cast<const FrameEvent&>(event));
  }
  end_chunk(chunk);
}

}  // namespace qc::proto
