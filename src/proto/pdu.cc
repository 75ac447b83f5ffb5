#include "proto/pdu.h"

namespace qc::proto {

std::string_view msg_type_name(MsgType type) {
  switch (type) {
    case MsgType::Versions:
      return "VERSIONS";
    case MsgType::Login:
      return "LOGIN";
    case MsgType::LoginAck:
      return "LOGIN_ACK";
    case MsgType::LoginBroadcast:
      return "LOGIN_BROADCAST";
    case MsgType::LoginUnsuccessfulRetry:
      return "LOGIN_UNSUCCESSFUL_RETRY";
    case MsgType::LoginUnsuccessfulDisconnect:
      return "LOGIN_UNSUCCESSFUL_DISCONNECT";
    case MsgType::Alive:
      return "ALIVE";
    case MsgType::OneToOne:
      return "ONE_TO_ONE";
    case MsgType::OneToMany:
      return "ONE_TO_MANY";
    case MsgType::Broadcast:
      return "BROADCAST";
    case MsgType::MsgUnsuccessful:
      return "MSG_UNSUCCESSFUL";
    case MsgType::Logout:
      return "LOGOUT";
    case MsgType::LogoutAck:
      return "LOGOUT_ACK";
    case MsgType::LogoutBroadcast:
      return "LOGOUT_BROADCAST";
  }
  return "UNKNOWN";
}

std::optional<MsgType> msg_type_from_int(std::int64_t value) {
  for (MsgType t : kAllMsgTypes) {
    if (static_cast<std::int64_t>(t) == value) return t;
  }
  return std::nullopt;
}

}  // namespace qc::proto
