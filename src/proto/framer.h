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
  Empty,     // v2: a frame of length 0 (skipped)
};

std::string_view frame_errc_name(FrameErrc code);

struct FrameEvent {
  enum class Kind { Pdu, Error } kind = Kind::Pdu;
  // Kind::Pdu: the object's bytes. Points into the chunk when the object lies inside it
  // (zero-copy), else into the framer; valid until the next feed() (and while the chunk lives).
  std::string_view pdu;
  FrameErrc error = FrameErrc::Garbage;  // Kind::Error
  std::string detail;                    // Kind::Error: human sentence
};

class StreamFramer {
 public:
  explicit StreamFramer(std::size_t max_pdu_bytes = kDefaultMaxPduBytes, int max_depth = 16);

  // Consumes `chunk` and calls on_event(const FrameEvent&) for every complete PDU and every
  // framing error, in stream order. Errors never stop the framer: it resynchronises and goes on.
  // The framer never holds more than max_pdu_bytes.
  template <class OnEvent>
  void feed(std::string_view chunk, OnEvent&& on_event);

  // Like feed, but on_event returns bool: false stops right after that event and returns the
  // number of bytes of `chunk` consumed (else chunk.size()). Stopped after a PDU, the framer is
  // between objects and the rest of the chunk is untouched: the caller may hand it to another
  // framer (the switch to v2 framing after a VERSIONS reply, possibly mid-chunk).
  template <class OnEvent>
  std::size_t feed_until(std::string_view chunk, OnEvent&& on_event);

  std::size_t buffered_bytes() const { return buf_.size(); }
  bool mid_object() const { return state_ != State::Between && state_ != State::Garbage; }

 private:
  enum class State { Between, Garbage, Object };
  enum class Scan { Continue, Completed, Failed };  // outcome of scanning one object byte

  // Non-template core (framer.cc). next_event scans chunk from pos and stops after the first
  // event (returns true, `event` filled) or at the end of the chunk (returns false).
  void begin_chunk();
  bool next_event(std::string_view chunk, std::size_t& pos, FrameEvent& event);
  void end_chunk(std::string_view chunk);
  bool scan_between(std::string_view chunk, std::size_t& pos, FrameEvent& event);
  Scan scan_object_byte(char c);
  void start_discarding(FrameErrc why, FrameEvent& event);
  void complete_object(std::string_view chunk, std::size_t end, FrameEvent& event);

  std::size_t max_pdu_bytes_;
  int max_depth_;
  State state_ = State::Between;
  int depth_ = 0;
  bool in_string_ = false;
  bool in_escape_ = false;
  bool discarding_ = false;        // object over a limit: tracked to its end, bytes dropped
  std::size_t object_bytes_ = 0;   // bytes of the current object seen so far
  std::size_t segment_start_ = 0;  // where the current object starts in this chunk
  std::string buf_;                // start of an object split across chunks
  std::string completed_;          // a reassembled PDU handed out (valid until the next feed)
};

}  // namespace qc::proto

#include "proto/framer_impl.h"
