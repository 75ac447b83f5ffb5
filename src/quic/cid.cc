#include "quic/cid.h"

#include <gnutls/crypto.h>

#include "quic/quic_lb.h"

namespace qc::quic {

void fill_random_cid(ngtcp2_cid& cid, std::size_t len) {
  gnutls_rnd(GNUTLS_RND_RANDOM, cid.data, len);
  cid.datalen = len;
}

ngtcp2_cid random_cid() {
  ngtcp2_cid cid{};
  fill_random_cid(cid, kCidLen);
  return cid;
}

std::string cid_hex(const ngtcp2_cid& cid) { return hex_of({cid.data, cid.datalen}); }

std::uint64_t now_ts(std::chrono::steady_clock::time_point now) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
}

}  // namespace qc::quic
