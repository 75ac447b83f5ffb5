#include "proto/framer.h"

#include <cstdio>

namespace qc::proto {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string byte_description(char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned char>(c));
  return buf;
}

}  // namespace

std::string_view frame_errc_name(FrameErrc code) {
  switch (code) {
    case FrameErrc::Garbage:
      return "garbage";
    case FrameErrc::TooLarge:
      return "too_large";
    case FrameErrc::TooDeep:
      return "too_deep";
    case FrameErrc::Empty:
      return "empty";
  }
  return "unknown";
}

StreamFramer::StreamFramer(std::size_t max_pdu_bytes, int max_depth)
    : max_pdu_bytes_(max_pdu_bytes), max_depth_(max_depth) {}

void StreamFramer::begin_chunk() { segment_start_ = 0; }

void StreamFramer::end_chunk(std::string_view chunk) {
  if (state_ == State::Object && !discarding_) buf_.append(chunk.substr(segment_start_));
}

bool StreamFramer::next_event(std::string_view chunk, std::size_t& pos, FrameEvent& event) {
  if (state_ != State::Object) return scan_between(chunk, pos, event);
  while (pos < chunk.size()) {
    const char c = chunk[pos++];
    ++object_bytes_;
    bool reported = false;
    if (!discarding_ && object_bytes_ > max_pdu_bytes_) {
      start_discarding(FrameErrc::TooLarge, event);
      reported = true;
    }
    const Scan scan = scan_object_byte(c);
    if (scan == Scan::Failed) {
      start_discarding(FrameErrc::TooDeep, event);
      return true;
    }
    if (scan == Scan::Completed) {
      if (discarding_) {
        state_ = State::Between;
        return reported;
      }
      complete_object(chunk, pos, event);
      return true;
    }
    if (reported) return true;
  }
  return false;
}

bool StreamFramer::scan_between(std::string_view chunk, std::size_t& pos, FrameEvent& event) {
  while (pos < chunk.size()) {
    const char c = chunk[pos];
    if (c == '{') {  // consumed by the object scan, which counts it as depth 1
      state_ = State::Object;
      depth_ = 0;
      in_string_ = in_escape_ = discarding_ = false;
      object_bytes_ = 0;
      segment_start_ = pos;
      return false;
    }
    ++pos;
    if (state_ == State::Garbage || is_ws(c)) continue;
    state_ = State::Garbage;
    event.kind = FrameEvent::Kind::Error;
    event.error = FrameErrc::Garbage;
    event.detail =
        "unexpected byte " + byte_description(c) + " between PDUs; skipping to the next '{'";
    return true;
  }
  return false;
}

StreamFramer::Scan StreamFramer::scan_object_byte(char c) {
  if (in_string_) {
    if (in_escape_) {
      in_escape_ = false;
    } else if (c == '\\') {
      in_escape_ = true;
    } else if (c == '"') {
      in_string_ = false;
    }
    return Scan::Continue;
  }
  switch (c) {
    case '"':
      in_string_ = true;
      break;
    case '{':
    case '[':
      ++depth_;
      if (depth_ > max_depth_ && !discarding_) return Scan::Failed;
      break;
    case '}':
      if (--depth_ == 0) return Scan::Completed;
      break;
    case ']':
      // Only '}' ends the top-level object; a stray ']' is left for the decoder to reject.
      if (depth_ > 1) --depth_;
      break;
    default:
      break;
  }
  return Scan::Continue;
}

void StreamFramer::start_discarding(FrameErrc why, FrameEvent& event) {
  discarding_ = true;
  buf_.clear();
  event.kind = FrameEvent::Kind::Error;
  event.error = why;
  event.detail = why == FrameErrc::TooLarge
                     ? "PDU larger than " + std::to_string(max_pdu_bytes_) + " bytes discarded"
                     : "PDU nested deeper than " + std::to_string(max_depth_) + " levels discarded";
}

void StreamFramer::complete_object(std::string_view chunk, std::size_t end, FrameEvent& event) {
  state_ = State::Between;
  event.kind = FrameEvent::Kind::Pdu;
  event.detail.clear();
  if (buf_.empty()) {
    event.pdu = chunk.substr(segment_start_, end - segment_start_);
    return;
  }
  buf_.append(chunk.substr(0, end));
  completed_.swap(buf_);
  buf_.clear();
  event.pdu = completed_;
}

}  // namespace qc::proto
