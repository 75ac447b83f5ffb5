// The cluster's events <-> one compact JSON object each (the v2 codec's writer and reader).
// Decoding takes any member order, ignores unknown members and refuses anything else with a
// DecodeError naming the member: a payload from another node is input like any other.
#pragma once

#include <string>
#include <string_view>

#include "proto/bus/events.h"
#include "proto/codec.h"

namespace qc::proto::bus {

// A message's text is at most a v2 frame's, but escapes may make its JSON several times longer.
inline constexpr DecodeLimits kBusLimits{1 << 20, 16};

std::string encode(const Event& event);
Decoded<Event> decode(std::string_view payload, const DecodeLimits& limits = kBusLimits);

}  // namespace qc::proto::bus
