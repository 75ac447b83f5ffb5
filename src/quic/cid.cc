#include "quic/cid.h"

#include <gnutls/crypto.h>

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

std::string cid_hex(const ngtcp2_cid& cid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < cid.datalen; ++i)
    (out += kHex[cid.data[i] >> 4]) += kHex[cid.data[i] & 15];
  return out;
}

std::uint64_t now_ts(std::chrono::steady_clock::time_point now) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
}

}  // namespace qc::quic
