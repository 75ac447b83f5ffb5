// Pieces of Connection shared between connection.cc and connection_callbacks.cc.
#pragma once

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <string>

#include "quic/endpoint.h"

namespace qc::quic::detail {

inline constexpr std::size_t kMaxUdpPayload = 1452;  // what we send at most per datagram
// The largest PDU a one-PDU-per-packet peer is sent: 1200 (the smallest datagram QUIC allows a
// path, which the original's client uses) - 25 short header - 16 AEAD tag - 19 STREAM frame
// header - 100 left for ACK frames ngtcp2 may put in the same packet.
inline constexpr std::size_t kMaxPduInOnePacket = 1200 - 25 - 16 - 19 - 100;
static_assert(kMaxPduInOnePacket == 1040);
// The soonest a connection's expiry timer fires when its deadline is not yet due (see
// Connection::rearm_timer): the loop sleeps in whole milliseconds anyway.
inline constexpr std::uint64_t kMinTimerDelayNs = NGTCP2_MILLISECONDS;

const ngtcp2_callbacks& server_callbacks();
const ngtcp2_callbacks& client_callbacks();
ngtcp2_conn* get_conn(ngtcp2_crypto_conn_ref* ref);
void qlog_write_cb(void* user_data, std::uint32_t flags, const void* data, std::size_t len);

// Maps the peer's CONNECTION_CLOSE to what Handler::on_closed reports.
CloseInfo classify_peer_close(const ngtcp2_connection_close_error& ccerr, const std::string& reason,
                              bool handshake_done);

}  // namespace qc::quic::detail
