#include "quic/quic_lb.h"

namespace qc::quic {

Result<void> check_lb_config(const LbConfig& config) {
  if (config.config_rotation >= kLbUnroutable) {
    return fail("config", "the config rotation bits must be 0 to 6 (7 marks unroutable CIDs)");
  }
  if (config.server_id.empty() || config.server_id.size() > kLbMaxServerIdLen) {
    return fail("config", "the server id must be 1 to 15 bytes");
  }
  if (config.nonce_len < kLbMinNonceLen) return fail("config", "the nonce needs at least 4 bytes");
  if (config.cid_len() > kLbMaxCidLen) {
    return fail("config", "server id and nonce make a connection ID longer than 20 bytes");
  }
  return {};
}

std::vector<std::uint8_t> encode_lb_cid(const LbConfig& config,
                                        std::span<const std::uint8_t> nonce) {
  if (!check_lb_config(config) || nonce.size() != config.nonce_len) return {};
  std::vector<std::uint8_t> cid;
  cid.reserve(config.cid_len());
  cid.push_back(static_cast<std::uint8_t>(config.config_rotation << 5 | (config.cid_len() - 1)));
  cid.insert(cid.end(), config.server_id.begin(), config.server_id.end());
  cid.insert(cid.end(), nonce.begin(), nonce.end());
  return cid;
}

std::optional<LbCid> decode_lb_cid(std::span<const std::uint8_t> cid, std::size_t server_id_len) {
  if (server_id_len == 0 || server_id_len > kLbMaxServerIdLen) return std::nullopt;
  if (cid.size() < 1 + server_id_len + kLbMinNonceLen || cid.size() > kLbMaxCidLen) {
    return std::nullopt;
  }
  const std::uint8_t rotation = cid[0] >> 5;
  if (rotation == kLbUnroutable || (cid[0] & 0x1f) != cid.size() - 1) return std::nullopt;
  LbCid out;
  out.config_rotation = rotation;
  out.server_id.assign(cid.begin() + 1,
                       cid.begin() + 1 + static_cast<std::ptrdiff_t>(server_id_len));
  out.nonce.assign(cid.begin() + 1 + static_cast<std::ptrdiff_t>(server_id_len), cid.end());
  return out;
}

Result<std::vector<std::uint8_t>> parse_server_id_hex(std::string_view hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 16) {
    return fail("usage", "a server id is 1 to 8 bytes of hex (2 to 16 hex digits), got '" +
                             std::string(hex) + "'");
  }
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = digit(hex[i]);
    const int low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return fail("usage", "'" + std::string(hex) + "' is not hex");
    out.push_back(static_cast<std::uint8_t>(high << 4 | low));
  }
  return out;
}

std::string hex_of(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) (out += kHex[b >> 4]) += kHex[b & 15];
  return out;
}

}  // namespace qc::quic
