// The ALPN protocol names quicchat speaks; the transport gets them (and the write policy of
// each) as options from the server, the client library and the bench.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qc::proto {

inline constexpr std::string_view kAlpnQuicchat = "quicchat";
// The seed's original protocol: its receiver parses one PDU per read, so each PDU must leave
// in its own stream write and its own packet.
inline constexpr std::string_view kAlpnSeed = "echo-protocol";

// Offered and accepted by default, preferred first.
inline std::vector<std::string> default_alpns() {
  return {std::string(kAlpnQuicchat), std::string(kAlpnSeed)};
}
// Protocol v2 is offered only where the peer can read any framing (not the seed's ALPN).
inline bool alpn_offers_v2(std::string_view alpn) { return alpn == kAlpnQuicchat; }
// The ALPNs whose peers need one PDU per packet.
inline std::vector<std::string> one_pdu_per_packet_alpns() { return {std::string(kAlpnSeed)}; }

}  // namespace qc::proto
