// The seed's connection DFA: the client's state (what it shows, which server PDUs it accepts).
// The server's sessions follow their own machine (chat/session_phase.h).
// An explicit transition table (connection_state.cc); every pair not listed is forbidden.
//
//   from             event           to
//   DISCONNECTED     Connect         CONNECTING
//   CONNECTING       Established     CONNECTED
//   CONNECTING       Closed          DISCONNECTED   (handshake failed)
//   CONNECTED        LoginSucceeded  AUTHENTICATED
//   AUTHENTICATED    MessageSent     SENDING_MESSAGE
//   SENDING_MESSAGE  MessageSent     SENDING_MESSAGE
//   CONNECTING, CONNECTED, AUTHENTICATED, SENDING_MESSAGE, DISCONNECTING
//                    Fail            ERROR          (remembers the state it left)
//   ERROR            Recover         the remembered state
//   ERROR            GiveUp          DISCONNECTING
//   CONNECTING, CONNECTED, AUTHENTICATED, SENDING_MESSAGE, ERROR
//                    Disconnect      DISCONNECTING
//   DISCONNECTING    Closed          DISCONNECTED
//
// Which PDU types may travel in each state (per direction; anything else is answered with an
// error by the receiver):
//   CONNECTED        C->S VERSIONS, LOGIN
//                    S->C VERSIONS, LOGIN_ACK, LOGIN_UNSUCCESSFUL_RETRY/_DISCONNECT,
//                    MSG_UNSUCCESSFUL
//   AUTHENTICATED, SENDING_MESSAGE
//                    C->S ALIVE, ONE_TO_ONE, ONE_TO_MANY, BROADCAST, LOGOUT
//                    S->C LOGIN_BROADCAST, LOGOUT_BROADCAST, ONE_TO_ONE, ONE_TO_MANY, BROADCAST,
//                         MSG_UNSUCCESSFUL, LOGOUT_ACK
//   DISCONNECTING    S->C VERSIONS, LOGIN_UNSUCCESSFUL_DISCONNECT, LOGOUT_ACK (the last words)
//   DISCONNECTED, CONNECTING, ERROR: nothing.
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
  // whose message names the state, the event's target and the event, e.g.
  // "invalid transition CONNECTED -> SENDING_MESSAGE on MessageSent" (code "invalid_transition").
  Result<ConnState> apply(ConnEvent event);

 private:
  ConnState state_ = ConnState::Disconnected;
  std::optional<ConnState> previous_;  // set while in ERROR
};

}  // namespace qc::proto
