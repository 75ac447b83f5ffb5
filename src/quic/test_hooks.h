// Test-only access to transport internals (not for product code).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "quic/endpoint.h"

namespace qc::quic {

// Tries to open one more bidirectional stream on a client connection, beyond the chat stream;
// returns ngtcp2's result (0 = opened, negative = refused, e.g. the server's stream limit).
int test_open_extra_stream(ClientEndpoint& endpoint, ConnHandle conn);

// Ends a client connection's chat stream (FIN) after what was sent; false when unknown.
bool test_finish_stream(ClientEndpoint& endpoint, ConnHandle conn);

// Bytes the server has queued on a connection and not yet seen acknowledged; nullopt when the
// connection is unknown.
std::optional<std::size_t> test_queued_bytes(ServerEndpoint& endpoint, ConnHandle conn);

// The connection IDs a server connection has given its peer and not retired (the handshake's
// and those of NEW_CONNECTION_ID frames); empty when the connection is unknown.
std::vector<std::vector<std::uint8_t>> test_server_cids(ServerEndpoint& endpoint, ConnHandle conn);

}  // namespace qc::quic
