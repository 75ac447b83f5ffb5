// Connection IDs and ngtcp2 timestamps: the small helpers the endpoints and connections share.
// Internal to src/quic.
#pragma once

#include <ngtcp2/ngtcp2.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace qc::quic {

inline constexpr std::size_t kCidLen = 18;  // our connection IDs (the server routes on them)

// Fills `cid` with `len` random bytes.
void fill_random_cid(ngtcp2_cid& cid, std::size_t len);
ngtcp2_cid random_cid();  // kCidLen random bytes
std::string cid_hex(const ngtcp2_cid& cid);

// ngtcp2's timestamp (nanoseconds) for a point of the loop's steady clock.
std::uint64_t now_ts(std::chrono::steady_clock::time_point now);

}  // namespace qc::quic
