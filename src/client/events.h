// What a ClientSession reports to its user: one variant per server PDU meaning, plus the
// transport's open/close, so that the terminal client, the bench and the conformance suite
// all consume one stream of events.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "proto/codec.h"

namespace qc::client {

enum class MessageKind : std::uint8_t { OneToOne, OneToMany, Broadcast };

struct Connected {  // transport handshake done
  std::string alpn;
  std::string peer_address;
};
struct VersionSelected {
  std::int64_t version = 0;
};
struct VersionRejected {
  std::string error;
};
struct LoginOk {
  proto::UserList users;  // active users in login order, the newcomer (us) last
  std::uint64_t my_id = 0;
};
struct LoginRetry {
  std::string error;
};
struct LoginRejected {  // LOGIN_UNSUCCESSFUL_DISCONNECT: the server ends the connection
  std::string error;
};
struct UsersJoined {
  proto::UserList users;
};
struct UsersLeft {
  proto::UserList users;
};
struct Message {
  MessageKind kind = MessageKind::Broadcast;
  std::uint64_t sender_id = 0;
  std::string sender_name;
  std::string text;
};
struct ServerError {  // MSG_UNSUCCESSFUL
  std::string error;
};
struct LoggedOut {
  std::string sys;
};
struct ProtocolViolation {  // the server sent something malformed or out of place
  std::string detail;
};
struct PathChanged {  // the connection now runs from a new local address (rebind)
  std::string peer_address;
};
struct ConnectionClosed {
  bool expected = false;  // after our logout or our own close: not a failure
  std::uint64_t app_error_code = 0;
  std::string kind;    // transport's close kind, e.g. "peer", "idle_timeout"
  std::string reason;  // human text
  // The lines of the messages sent on this connection that the server's transport had not
  // acknowledged, in the order they were sent: they may not have arrived.
  std::vector<std::string> undelivered = {};
};

using Event = std::variant<Connected, VersionSelected, VersionRejected, LoginOk, LoginRetry,
                           LoginRejected, UsersJoined, UsersLeft, Message, ServerError, LoggedOut,
                           ProtocolViolation, PathChanged, ConnectionClosed>;

}  // namespace qc::client
