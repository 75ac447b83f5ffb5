// server_id_from_node_id: apart from quic_lb.cc, which the fuzz build compiles without GnuTLS.
#include <gnutls/crypto.h>

#include <algorithm>
#include <array>

#include "quic/quic_lb.h"

namespace qc::quic {

std::vector<std::uint8_t> server_id_from_node_id(std::string_view node_id, std::size_t len) {
  std::array<std::uint8_t, 32> digest{};
  gnutls_hash_fast(GNUTLS_DIG_SHA256, node_id.data(), node_id.size(), digest.data());
  return {digest.begin(),
          digest.begin() + static_cast<std::ptrdiff_t>(std::min(len, digest.size()))};
}

}  // namespace qc::quic
