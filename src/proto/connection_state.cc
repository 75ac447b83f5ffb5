#include "proto/connection_state.h"

#include <array>
#include <string>

namespace qc::proto {
namespace {

using S = ConnState;
using E = ConnEvent;

struct Transition {
  ConnState from;
  ConnEvent event;
  ConnState to;  // for Recover: ignored, the remembered state is the target
};

// The whole DFA. A (state, event) pair that is not listed is forbidden.
constexpr std::array<Transition, 19> kTransitions{{
    {S::Disconnected, E::Connect, S::Connecting},
    {S::Connecting, E::Established, S::Connected},
    {S::Connecting, E::Fail, S::Error},
    {S::Connecting, E::Disconnect, S::Disconnecting},
    {S::Connecting, E::Closed, S::Disconnected},  // handshake failed
    {S::Connected, E::LoginSucceeded, S::Authenticated},
    {S::Connected, E::Fail, S::Error},
    {S::Connected, E::Disconnect, S::Disconnecting},
    {S::Authenticated, E::MessageSent, S::SendingMessage},
    {S::Authenticated, E::Fail, S::Error},
    {S::Authenticated, E::Disconnect, S::Disconnecting},
    {S::SendingMessage, E::MessageSent, S::SendingMessage},
    {S::SendingMessage, E::Fail, S::Error},
    {S::SendingMessage, E::Disconnect, S::Disconnecting},
    {S::Disconnecting, E::Fail, S::Error},
    {S::Disconnecting, E::Closed, S::Disconnected},
    {S::Error, E::Recover, S::Error},
    {S::Error, E::GiveUp, S::Disconnecting},
    {S::Error, E::Disconnect, S::Disconnecting},
}};

const Transition* find_transition(ConnState from, ConnEvent event) {
  for (const Transition& t : kTransitions) {
    if (t.from == from && t.event == event) return &t;
  }
  return nullptr;
}

// Where an event leads when it is allowed; used to name the target in error messages.
std::string_view canonical_target_name(ConnEvent event) {
  switch (event) {
    case E::Connect:
      return "CONNECTING";
    case E::Established:
      return "CONNECTED";
    case E::LoginSucceeded:
      return "AUTHENTICATED";
    case E::MessageSent:
      return "SENDING_MESSAGE";
    case E::Fail:
      return "ERROR";
    case E::Recover:
      return "PREVIOUS";
    case E::GiveUp:
    case E::Disconnect:
      return "DISCONNECTING";
    case E::Closed:
      return "DISCONNECTED";
  }
  return "UNKNOWN";
}

using Mask = std::uint32_t;

constexpr Mask bit(MsgType t) {
  switch (t) {  // a dense bit per type (the wire values are sparse)
    case MsgType::Versions:
      return 1u << 0;
    case MsgType::Login:
      return 1u << 1;
    case MsgType::LoginAck:
      return 1u << 2;
    case MsgType::LoginBroadcast:
      return 1u << 3;
    case MsgType::LoginUnsuccessfulRetry:
      return 1u << 4;
    case MsgType::LoginUnsuccessfulDisconnect:
      return 1u << 5;
    case MsgType::Alive:
      return 1u << 6;
    case MsgType::OneToOne:
      return 1u << 7;
    case MsgType::OneToMany:
      return 1u << 8;
    case MsgType::Broadcast:
      return 1u << 9;
    case MsgType::MsgUnsuccessful:
      return 1u << 10;
    case MsgType::Logout:
      return 1u << 11;
    case MsgType::LogoutAck:
      return 1u << 12;
    case MsgType::LogoutBroadcast:
      return 1u << 13;
  }
  return 0;
}

template <class... T>
constexpr Mask mask(T... types) {
  return (bit(types) | ... | 0u);
}

using M = MsgType;

struct Accepts {
  Mask client_to_server;
  Mask server_to_client;
};

// Which PDUs may travel in each state; indexed by ConnState. See PROTOCOL.md.
constexpr Accepts kAccepts[] = {
    /* DISCONNECTED    */ {0, 0},
    /* CONNECTING      */ {0, 0},
    /* CONNECTED       */
    {mask(M::Versions, M::Login), mask(M::Versions, M::LoginAck, M::LoginUnsuccessfulRetry,
                                       M::LoginUnsuccessfulDisconnect, M::MsgUnsuccessful)},
    /* AUTHENTICATED   */
    {mask(M::Alive, M::OneToOne, M::OneToMany, M::Broadcast, M::Logout),
     mask(M::LoginBroadcast, M::LogoutBroadcast, M::OneToOne, M::OneToMany, M::Broadcast,
          M::MsgUnsuccessful, M::LogoutAck)},
    /* SENDING_MESSAGE */
    {mask(M::Alive, M::OneToOne, M::OneToMany, M::Broadcast, M::Logout),
     mask(M::LoginBroadcast, M::LogoutBroadcast, M::OneToOne, M::OneToMany, M::Broadcast,
          M::MsgUnsuccessful, M::LogoutAck)},
    /* DISCONNECTING   */ {0, mask(M::Versions, M::LoginUnsuccessfulDisconnect, M::LogoutAck)},
    /* ERROR           */ {0, 0},
};

}  // namespace

std::string_view conn_state_name(ConnState s) {
  switch (s) {
    case S::Disconnected:
      return "DISCONNECTED";
    case S::Connecting:
      return "CONNECTING";
    case S::Connected:
      return "CONNECTED";
    case S::Authenticated:
      return "AUTHENTICATED";
    case S::SendingMessage:
      return "SENDING_MESSAGE";
    case S::Disconnecting:
      return "DISCONNECTING";
    case S::Error:
      return "ERROR";
  }
  return "UNKNOWN";
}

std::string_view conn_event_name(ConnEvent e) {
  switch (e) {
    case E::Connect:
      return "Connect";
    case E::Established:
      return "Established";
    case E::LoginSucceeded:
      return "LoginSucceeded";
    case E::MessageSent:
      return "MessageSent";
    case E::Fail:
      return "Fail";
    case E::Recover:
      return "Recover";
    case E::GiveUp:
      return "GiveUp";
    case E::Disconnect:
      return "Disconnect";
    case E::Closed:
      return "Closed";
  }
  return "Unknown";
}

std::optional<ConnState> next_state(ConnState from, ConnEvent event) {
  if (event == E::Recover) return std::nullopt;
  const Transition* t = find_transition(from, event);
  if (t == nullptr) return std::nullopt;
  return t->to;
}

bool accepts(ConnState state, Direction dir, MsgType type) {
  const Accepts& row = kAccepts[static_cast<std::size_t>(state)];
  const Mask m = dir == Direction::ClientToServer ? row.client_to_server : row.server_to_client;
  return (m & bit(type)) != 0;
}

Result<ConnState> ConnectionDfa::apply(ConnEvent event) {
  const Transition* t = find_transition(state_, event);
  if (t == nullptr || (event == E::Recover && !previous_)) {
    return fail("invalid_transition", "invalid transition " + std::string(conn_state_name(state_)) +
                                          " -> " + std::string(canonical_target_name(event)) +
                                          " on " + std::string(conn_event_name(event)));
  }
  if (event == E::Recover) {
    state_ = *previous_;
    previous_.reset();
  } else {
    if (t->to == S::Error) previous_ = state_;
    if (state_ == S::Error) previous_.reset();
    state_ = t->to;
  }
  return state_;
}

}  // namespace qc::proto
