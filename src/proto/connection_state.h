// The seed's connection DFA, shared by the client and the server's per-session view:
// DISCONNECTED -> CONNECTING -> CONNECTED -> AUTHENTICATED <-> SENDING_MESSAGE,
// any -> ERROR (returns to the previous state when handled, else DISCONNECTING),
// any -> DISCONNECTING -> DISCONNECTED. An explicit transition table; which PDU types each
// state accepts (per direction) is part of the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/pdu.h"
#include "util/result.h"

namespace qc::proto {

enum class ConnState : std::uint8_t {
  Disconnected,
  Connecting,
  Connected,
  Authenticated,
  SendingMessage,
  Disconnecting,
  Error,
};

enum class ConnEvent : std::uint8_t {
  Connect,         // DISCONNECTED -> CONNECTING
  Established,     // CONNECTING -> CONNECTED (handshake done)
  LoginSucceeded,  // CONNECTED -> AUTHENTICATED
  MessageSent,     // AUTHENTICATED|SENDING_MESSAGE -> SENDING_MESSAGE
  Fail,            // any (but DISCONNECTED, ERROR) -> ERROR, remembering the previous state
  Recover,         // ERROR -> previous state
  GiveUp,          // ERROR -> DISCONNECTING
  Disconnect,      // any connected state -> DISCONNECTING
  Closed,          // DISCONNECTING -> DISCONNECTED (also CONNECTING on handshake failure)
};

enum class Direction : std::uint8_t { ClientToServer, ServerToClient };

std::string_view conn_state_name(ConnState);  // "AUTHENTICATED"
std::string_view conn_event_name(ConnEvent);

// Pure lookup in the transition table; nullopt when the event is not allowed in `from`.
// (Recover's target depends on the remembered state, so it is resolved by ConnectionDfa.)
std::optional<ConnState> next_state(ConnState from, ConnEvent event);

// May a PDU of this type, in this direction, be exchanged while in `state`?
bool accepts(ConnState state, Direction dir, MsgType type);

class ConnectionDfa {
 public:
  ConnState state() const { return state_; }
  std::optional<ConnState> previous() const { return previous_; }

  // Applies the event; an invalid transition leaves the state unchanged and returns an error
  // whose message names both the state and the event, e.g.
  // "invalid transition: LoginSucceeded in DISCONNECTED".
  Result<ConnState> apply(ConnEvent event);

 private:
  ConnState state_ = ConnState::Disconnected;
  std::optional<ConnState> previous_;  // set while in ERROR
};

}  // namespace qc::proto
