// QUIC application error codes quicchat puts in CONNECTION_CLOSE (the reason phrase says more).
#pragma once

#include <cstdint>

namespace qc::proto {

enum class CloseCode : std::uint64_t {
  NoError = 0,        // logout, client quit
  ProtocolError = 1,  // framing or version negotiation failed
  LoginFailed = 2,    // attempts exhausted, login timeout, malformed login
  KeepAliveTimeout = 3,
  ServerShutdown = 4,
  LimitExceeded = 5,  // connection/rate/size limits
  SlowConsumer = 6,   // outbound queue over its bound
  InternalError = 7,
  Kicked = 8,    // an operator closed the session (quicchat admin kick)
  Replaced = 9,  // v2: a newer session of the same device, or over the account's device limit
  PasswordChanged = 10,  // v2: another session of the account changed its password (passwd)
};

constexpr std::uint64_t to_wire(CloseCode c) { return static_cast<std::uint64_t>(c); }

}  // namespace qc::proto
