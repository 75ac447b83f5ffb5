// Stream framer: the seed has no framing, so a PDU is one top-level JSON object on the stream.
// Fed arbitrary chunks, the framer yields each complete object, whatever the split or
// coalescing, tracking strings and escapes so braces inside strings do not count.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "proto/pdu.h"

namespace qc::proto {

enum class FrameErrc {
  Garbage,   // a byte other than whitespace or '{' between objects; skipped up to the next '{'
  TooLarge,  // an object longer than max_pdu_bytes; its bytes are discarded, never buffered
  TooDeep,   // nesting deeper than max_depth; the object is discarded like TooLarge
};

std::string_view frame_errc_name(FrameErrc code);

struct FrameEvent {
  enum class Kind { Pdu, Error } kind = Kind::Pdu;
  std::string_view pdu;             // Kind::Pdu: the object's bytes, valid until the next feed()
  FrameErrc error = FrameErrc::Garbage;  // Kind::Error
  std::string detail;               // Kind::Error: human sentence
};

class StreamFramer {
 public:
  explicit StreamFramer(std::size_t max_pdu_bytes = kDefaultMaxPduBytes, int max_depth = 16);

  // Consumes `chunk` and calls on_event(const FrameEvent&) for every complete PDU and every
  // framing error, in stream order. Errors never stop the framer: it resynchronises and goes on.
  // The framer never holds more than max_pdu_bytes.
  template <class OnEvent>
  void feed(std::string_view chunk, OnEvent&& on_event);

  std::size_t buffered_bytes() const { return buf_.size(); }
  bool mid_object() const { return state_ != State::Between; }

 private:
  enum class State { Between, InObject, InString, InEscape, Discarding, DiscardingString,
                     DiscardingEscape, SkippingGarbage };
  std::size_t max_pdu_bytes_;
  int max_depth_;
  State state_ = State::Between;
  int depth_ = 0;
  std::string buf_;
  // Implementation detail shared by the template below (defined in framer_impl.h).
  template <class OnEvent>
  void step(std::string_view chunk, OnEvent& on_event);
};

}  // namespace qc::proto

#include "proto/framer_impl.h"
