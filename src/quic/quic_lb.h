// Connection IDs that name the server, so that a load balancer in front of several nodes can
// route a connection's packets to its node whatever address they come from (after a NAT
// rebinding or a migration). The format is the QUIC-LB draft's unencrypted ("plaintext") one
// (draft-ietf-quic-load-balancers, "Unencrypted CID format"):
//
//   octet 0: config rotation (3 high bits) | CID length - 1 (5 low bits: length self-description)
//   octets 1 .. server_id_len: the server id
//   then nonce_len octets of nonce (random here)
//
// A load balancer configured with the same rotation bits and server id length reads the server
// id at octet 1. Config rotation 7 (0b111) marks a CID no load balancer can route; it is refused
// here. Pure functions: no ngtcp2, no randomness of their own.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace qc::quic {

inline constexpr std::size_t kLbMaxServerIdLen = 15;
inline constexpr std::size_t kLbMinNonceLen = 4;
inline constexpr std::size_t kLbMaxCidLen = 20;  // RFC 9000's limit
inline constexpr std::uint8_t kLbUnroutable = 7;

struct LbConfig {
  std::uint8_t config_rotation = 0;     // 0..6
  std::vector<std::uint8_t> server_id;  // 1..15 bytes
  std::size_t nonce_len = kLbMinNonceLen;
  std::size_t cid_len() const { return 1 + server_id.size() + nonce_len; }
};

// Whether a load balancer could use the configuration; the error says what is wrong.
Result<void> check_lb_config(const LbConfig& config);

// The CID for `config` with `nonce` (nonce_len bytes; the caller's random ones). The config must
// pass check_lb_config and the nonce have its length; otherwise an empty vector.
std::vector<std::uint8_t> encode_lb_cid(const LbConfig& config,
                                        std::span<const std::uint8_t> nonce);

struct LbCid {
  std::uint8_t config_rotation = 0;
  std::vector<std::uint8_t> server_id;
  std::vector<std::uint8_t> nonce;
};

// Reads a CID as a load balancer configured with this server id length would: nullopt when the
// CID is too short for the server id and the smallest nonce, its rotation bits say unroutable,
// or its length self-description disagrees with its length.
std::optional<LbCid> decode_lb_cid(std::span<const std::uint8_t> cid, std::size_t server_id_len);

// "0a1b" -> {0x0a, 0x1b}: 1 to 8 bytes of hex for --cid-server-id.
Result<std::vector<std::uint8_t>> parse_server_id_hex(std::string_view hex);

// The server id a node takes from its name when none is given: the first `len` bytes of
// SHA-256(node_id). Two nodes' names collide with a probability of about n^2 / 2^(8*len+1).
std::vector<std::uint8_t> server_id_from_node_id(std::string_view node_id, std::size_t len = 2);

std::string hex_of(std::span<const std::uint8_t> bytes);

}  // namespace qc::quic
