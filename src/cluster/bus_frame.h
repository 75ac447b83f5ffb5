// What goes over the bus channel: the origin node's id, a newline, then the opaque payload, so
// that each node drops what it published itself (Redis delivers to every subscriber).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qc::cluster {

struct BusFrame {
  std::string_view origin;
  std::string_view payload;
};

std::string encode_bus_frame(std::string_view origin, std::string_view payload);
// nullopt when there is no newline or the origin is empty or longer than a node id may be.
std::optional<BusFrame> decode_bus_frame(std::string_view frame);

}  // namespace qc::cluster
