// libFuzzer: the QUIC-LB connection ID decoder (quic/quic_lb.h), which reads whatever a client
// puts in a packet's destination connection ID. The first byte chooses the server id length, the
// rest is the CID. A CID decodes to parts that encode back to the same bytes, or to nothing;
// never a crash.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "quic/quic_lb.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t server_id_len = data[0] % 17;  // 0 and 16 are refused
  const std::span<const std::uint8_t> cid(data + 1, size - 1);
  auto decoded = qc::quic::decode_lb_cid(cid, server_id_len);
  if (!decoded) return 0;
  check(decoded->server_id.size() == server_id_len);
  check(decoded->config_rotation < qc::quic::kLbUnroutable);
  const qc::quic::LbConfig config{.config_rotation = decoded->config_rotation,
                                  .server_id = decoded->server_id,
                                  .nonce_len = decoded->nonce.size()};
  const auto again = qc::quic::encode_lb_cid(config, decoded->nonce);
  check(again.size() == cid.size() && std::equal(again.begin(), again.end(), cid.begin()));
  return 0;
}
