#include "quic/server_keys.h"

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <string_view>

namespace qc::quic {
namespace {

Key derive_key(std::span<const std::uint8_t> secret, std::string_view label) {
  ngtcp2_crypto_md sha256;
  ngtcp2_crypto_md_init(&sha256, reinterpret_cast<void*>(GNUTLS_DIG_SHA256));
  Key key{};
  ngtcp2_crypto_hkdf(key.data(), key.size(), &sha256, secret.data(), secret.size(), nullptr, 0,
                     reinterpret_cast<const std::uint8_t*>(label.data()), label.size());
  return key;
}

}  // namespace

ServerKeys derive_server_keys(std::span<const std::uint8_t> secret) {
  return {derive_key(secret, "quicchat stateless reset"),
          derive_key(secret, "quicchat retry token")};
}

std::vector<std::uint8_t> make_retry_token(const Key& key, std::uint32_t version,
                                           const SockAddr& client, const ngtcp2_cid& retry_scid,
                                           const ngtcp2_cid& odcid, std::uint64_t now_ts) {
  std::vector<std::uint8_t> token(NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN);
  const ngtcp2_ssize len =
      ngtcp2_crypto_generate_retry_token(token.data(), key.data(), key.size(), version,
                                         client.get(), client.len, &retry_scid, &odcid, now_ts);
  token.resize(len < 0 ? 0 : static_cast<std::size_t>(len));
  return token;
}

std::optional<ngtcp2_cid> check_retry_token(const Key& key, std::span<const std::uint8_t> token,
                                            std::uint32_t version, const SockAddr& client,
                                            const ngtcp2_cid& dcid,
                                            std::chrono::nanoseconds lifetime,
                                            std::uint64_t now_ts) {
  ngtcp2_cid odcid{};
  if (ngtcp2_crypto_verify_retry_token(
          &odcid, token.data(), token.size(), key.data(), key.size(), version, client.get(),
          client.len, &dcid, static_cast<ngtcp2_duration>(lifetime.count()), now_ts) != 0) {
    return std::nullopt;
  }
  return odcid;
}

}  // namespace qc::quic
