#include "proto/v2/framer.h"

#include <algorithm>

#include "proto/v2/frames.h"

namespace qc::proto::v2 {
namespace {

std::size_t big_endian_length(const unsigned char* bytes) {
  std::size_t length = 0;
  for (std::size_t i = 0; i < kLengthPrefixBytes; ++i) length = (length << 8) | bytes[i];
  return length;
}

void report_error(FrameEvent& event, FrameErrc error, std::string detail) {
  event.kind = FrameEvent::Kind::Error;
  event.error = error;
  event.pdu = {};
  event.detail = std::move(detail);
}

}  // namespace

FrameReader::FrameReader(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

bool FrameReader::next_event(std::string_view chunk, std::size_t& pos, FrameEvent& event) {
  if (skip_left_ > 0) {  // the rest of a too-large frame, dropped as it comes
    const std::size_t skipped = std::min(skip_left_, chunk.size() - pos);
    pos += skipped;
    skip_left_ -= skipped;
    return false;
  }
  if (!expecting_body_) return read_header(chunk, pos, event);
  return read_body(chunk, pos, event);
}

bool FrameReader::read_header(std::string_view chunk, std::size_t& pos, FrameEvent& event) {
  const std::size_t taken = std::min(kLengthPrefixBytes - header_fill_, chunk.size() - pos);
  std::copy_n(chunk.data() + pos, taken, header_ + header_fill_);
  header_fill_ += taken;
  pos += taken;
  if (header_fill_ < kLengthPrefixBytes) return false;
  header_fill_ = 0;
  const std::size_t length = big_endian_length(header_);
  if (length == 0) {
    report_error(event, FrameErrc::Empty, "frame of length 0 skipped");
    return true;
  }
  if (length > max_frame_bytes_) {
    skip_left_ = length;
    report_error(event, FrameErrc::TooLarge,
                 "frame of " + std::to_string(length) + " bytes is over the limit of " +
                     std::to_string(max_frame_bytes_) + "; skipped");
    return true;
  }
  expecting_body_ = true;
  body_length_ = length;
  return false;
}

bool FrameReader::read_body(std::string_view chunk, std::size_t& pos, FrameEvent& event) {
  if (body_.empty() && chunk.size() - pos >= body_length_) {  // whole body here: zero-copy
    complete(event, chunk.substr(pos, body_length_));
    pos += body_length_;
    return true;
  }
  const std::size_t taken = std::min(body_length_ - body_.size(), chunk.size() - pos);
  body_.append(chunk.data() + pos, taken);
  pos += taken;
  if (body_.size() < body_length_) return false;
  completed_.swap(body_);
  body_.clear();
  complete(event, completed_);
  return true;
}

void FrameReader::complete(FrameEvent& event, std::string_view body) {
  expecting_body_ = false;
  event.kind = FrameEvent::Kind::Pdu;
  event.pdu = body;
  event.detail.clear();
}

}  // namespace qc::proto::v2
