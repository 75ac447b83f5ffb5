// The seed protocol's PDU model (version 1): one JSON object per PDU,
// {"version": 1, "mtype": 16, "msg": "<string>", "sz": <chars in msg>}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qc::proto {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kDefaultMaxPduBytes = 64 * 1024;

// Message types, named and numbered as the seed's pdu.py names them.
enum class MsgType : std::uint8_t {
  Versions = 0x00,  // C->S {"versions": [1]}; S->C {"selected_version": 1} or {"error": ...}
  Login = 0x10,
  LoginAck = 0x11,
  LoginBroadcast = 0x12,
  LoginUnsuccessfulRetry = 0x13,
  LoginUnsuccessfulDisconnect = 0x14,
  Alive = 0x20,
  OneToOne = 0x30,
  OneToMany = 0x31,
  Broadcast = 0x32,
  MsgUnsuccessful = 0x33,
  Logout = 0x40,
  LogoutAck = 0x41,
  LogoutBroadcast = 0x42,
};

inline constexpr MsgType kAllMsgTypes[] = {
    MsgType::Versions,
    MsgType::Login,
    MsgType::LoginAck,
    MsgType::LoginBroadcast,
    MsgType::LoginUnsuccessfulRetry,
    MsgType::LoginUnsuccessfulDisconnect,
    MsgType::Alive,
    MsgType::OneToOne,
    MsgType::OneToMany,
    MsgType::Broadcast,
    MsgType::MsgUnsuccessful,
    MsgType::Logout,
    MsgType::LogoutAck,
    MsgType::LogoutBroadcast,
};

// "LOGIN_ACK" etc., as the seed's constants read without the MSG_TYPE_ prefix.
std::string_view msg_type_name(MsgType type);
std::optional<MsgType> msg_type_from_int(std::int64_t value);

// One PDU. `sz` is not stored: it is derived from `msg` when encoding and ignored when decoding
// (as the original server does).
struct Pdu {
  int version = kProtocolVersion;
  MsgType type = MsgType::Versions;
  std::string msg;

  friend bool operator==(const Pdu&, const Pdu&) = default;
};

// Plain-text payloads the seed sends for ALIVE and LOGOUT.
inline constexpr std::string_view kAliveText = "keep_alive";
inline constexpr std::string_view kLogoutText = "User logging out";

}  // namespace qc::proto
