// The texts the bench sends: a sequence number and the send time (CLOCK_MONOTONIC ns), padded
// to a fixed size, e.g. "q=17 t=123456789012 ......" (64 bytes). Sender and receivers live in
// the same process, so receive time minus send time is the one-way latency through the server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qc::bench {

inline constexpr std::size_t kTextBytes = 64;

struct Stamp {
  std::uint64_t seq = 0;
  std::int64_t sent_ns = 0;
};

std::string make_text(Stamp stamp, std::size_t size = kTextBytes);
std::optional<Stamp> parse_text(std::string_view text);

}  // namespace qc::bench
