#include "cluster/bus_frame.h"

namespace qc::cluster {
namespace {
constexpr std::size_t kMaxOrigin = 64;  // node ids are at most 32 characters
}

std::string encode_bus_frame(std::string_view origin, std::string_view payload) {
  std::string frame;
  frame.reserve(origin.size() + 1 + payload.size());
  frame.append(origin).append(1, '\n').append(payload);
  return frame;
}

std::optional<BusFrame> decode_bus_frame(std::string_view frame) {
  const auto newline = frame.find('\n');
  if (newline == std::string_view::npos || newline == 0 || newline > kMaxOrigin)
    return std::nullopt;
  return BusFrame{frame.substr(0, newline), frame.substr(newline + 1)};
}

}  // namespace qc::cluster
