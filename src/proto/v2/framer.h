// v2 framing: a 4-byte big-endian length N, then N bytes of frame body. The reader never scans
// the body: it copies (or, when the whole frame is inside the chunk, points at) N bytes.
// Errors never stop it: a frame longer than max_frame_bytes is reported once (TooLarge) and its
// body skipped without buffering; a zero length is reported (Empty) and skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/framer.h"

namespace qc::proto::v2 {

// The largest frame body a client accepts from a server (a server accepts kMaxClientFrameBytes).
// A client decodes with DecodeLimits{kMaxServerFrameBytes} as well.
inline constexpr std::size_t kMaxServerFrameBytes = 8 * 1024 * 1024;

class FrameReader {
 public:
  explicit FrameReader(std::size_t max_frame_bytes = kDefaultMaxPduBytes);

  // Calls on_event(const FrameEvent&) for each whole frame body (Kind::Pdu) and each error, in
  // stream order. on_event returns true to go on, false to stop: feed then returns the number of
  // bytes of `chunk` consumed (the rest is not looked at); otherwise chunk.size().
  template <class OnEvent>
  std::size_t feed(std::string_view chunk, OnEvent&& on_event);

  std::size_t buffered_bytes() const { return body_.size() + header_fill_; }
  // True when the stream so far ends inside a frame (its prefix, body or skipped body).
  bool mid_frame() const { return header_fill_ != 0 || expecting_body_ || skip_left_ != 0; }

 private:
  // Non-template part (framer.cc): one step from chunk[pos]; true when `event` is filled.
  bool next_event(std::string_view chunk, std::size_t& pos, FrameEvent& event);
  bool read_header(std::string_view chunk, std::size_t& pos, FrameEvent& event);
  bool read_body(std::string_view chunk, std::size_t& pos, FrameEvent& event);
  void complete(FrameEvent& event, std::string_view body);

  std::size_t max_frame_bytes_;
  unsigned char header_[4]{};
  std::size_t header_fill_ = 0;
  bool expecting_body_ = false;
  std::size_t body_length_ = 0;  // of the frame being read
  std::size_t skip_left_ = 0;    // bytes of a too-large frame still to skip
  std::string body_;             // a body split across chunks
  std::string completed_;        // a reassembled body handed out (valid until the next feed)
};

template <class OnEvent>
std::size_t FrameReader::feed(std::string_view chunk, OnEvent&& on_event) {
  FrameEvent event;
  std::size_t pos = 0;
  while (pos < chunk.size()) {
    if (next_event(chunk, pos, event) && !on_event(static_cast<const FrameEvent&>(event)))
      return pos;
  }
  return pos;
}

}  // namespace qc::proto::v2
