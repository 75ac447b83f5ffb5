// The keys a server derives from its secret (--secret-file) and the Retry tokens made with them.
// HKDF-SHA256 with one label per use: stateless reset tokens and Retry tokens never share a key.
// Nodes started with the same secret file accept each other's Retry tokens and recognise each
// other's reset tokens, so a cluster's nodes can stand behind one address. Internal to src/quic.
#pragma once

#include <ngtcp2/ngtcp2.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "quic/udp.h"

namespace qc::quic {

using Key = std::array<std::uint8_t, 32>;

struct ServerKeys {
  Key reset{};  // stateless reset tokens
  Key retry{};  // Retry tokens
};

ServerKeys derive_server_keys(std::span<const std::uint8_t> secret);

// The token of a Retry (whose SCID is `retry_scid`) to a client at `client` whose first Initial
// went to `odcid`; empty on an error.
std::vector<std::uint8_t> make_retry_token(const Key& key, std::uint32_t version,
                                           const SockAddr& client, const ngtcp2_cid& retry_scid,
                                           const ngtcp2_cid& odcid, std::uint64_t now_ts);

// The client's original DCID when `token` was made with `key` for this client, for an Initial to
// `dcid` (the Retry's SCID), at most `lifetime` ago; nullopt otherwise.
std::optional<ngtcp2_cid> check_retry_token(const Key& key, std::span<const std::uint8_t> token,
                                            std::uint32_t version, const SockAddr& client,
                                            const ngtcp2_cid& dcid,
                                            std::chrono::nanoseconds lifetime,
                                            std::uint64_t now_ts);

}  // namespace qc::quic
