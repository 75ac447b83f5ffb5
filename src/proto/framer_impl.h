// Template part of StreamFramer: the scanning itself is in framer.cc.
#pragma once

namespace qc::proto {

template <class OnEvent>
std::size_t StreamFramer::feed_until(std::string_view chunk, OnEvent&& on_event) {
  begin_chunk();
  FrameEvent event;
  std::size_t pos = 0;
  while (pos < chunk.size()) {
    if (next_event(chunk, pos, event) && !on_event(static_cast<const FrameEvent&>(event))) break;
  }
  end_chunk(chunk.substr(0, pos));
  return pos;
}

template <class OnEvent>
void StreamFramer::feed(std::string_view chunk, OnEvent&& on_event) {
  feed_until(chunk, [&](const FrameEvent& event) {
    on_event(event);
    return true;
  });
}

}  // namespace qc::proto
