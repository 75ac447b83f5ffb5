// The server session's machine: its phase, what each inbound PDU does in each phase (the
// inbound table) and how the phase moves (the transition table). docs/PROTOCOL.md section 6
// shows both tables; tests/unit/chat/phase_test.cc checks the document against them.
//
//   from           event                to
//   CONNECTED      PasswordCheckStarted LOGIN_PENDING
//   LOGIN_PENDING  LoginFailed          CONNECTED
//   LOGIN_PENDING  LoginSucceeded       AUTHENTICATED
//   LOGIN_PENDING  ProbeStarted         LOGIN_PROBING
//   LOGIN_PROBING  LoginFailed          CONNECTED
//   LOGIN_PROBING  LoginSucceeded       AUTHENTICATED
//   CONNECTED, LOGIN_PENDING, LOGIN_PROBING, AUTHENTICATED
//                  Close                CLOSING
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "chat/types.h"
#include "proto/pdu.h"

namespace qc::chat {

enum class Phase : std::uint8_t {
  Connected,     // QUIC handshake done, not logged in
  LoginPending,  // a password check is in flight
  // The password was right but the name is active on another session, which is being asked
  // whether it is still there (a QUIC probe): the answer decides this login.
  LoginProbing,
  Authenticated,  // logged in: in presence, may chat
  Closing,        // Close was emitted: no more input, no more replies
};
inline constexpr Phase kAllPhases[] = {Phase::Connected, Phase::LoginPending, Phase::LoginProbing,
                                       Phase::Authenticated, Phase::Closing};

enum class PhaseEvent : std::uint8_t {
  PasswordCheckStarted,
  ProbeStarted,
  LoginFailed,
  LoginSucceeded,
  Close
};

// What arrives on the stream: a PDU of some type, or input that is not a usable PDU.
enum class InboundKind : std::uint8_t { Pdu, Undecodable, TooLarge };
struct Inbound {
  InboundKind kind = InboundKind::Pdu;
  proto::MsgType type = proto::MsgType::Versions;  // when kind == Pdu
};

// What the core does with an inbound PDU in a phase.
enum class Verdict : std::uint8_t {
  Route,             // run the type's route (chat/routes.h)
  Queue,             // keep it until the password check (or probe) answers, then look again
  NotAuthenticated,  // MSG_UNSUCCESSFUL "User not authenticated"
  AlreadyLoggedIn,   // MSG_UNSUCCESSFUL "Already logged in"
  Malformed,         // MSG_UNSUCCESSFUL "Malformed data received: <detail>"; the session goes on
  TooLarge,          // MSG_UNSUCCESSFUL "PDU too large: limit is N bytes"; the session goes on
  RejectLogin,       // LOGIN_UNSUCCESSFUL_DISCONNECT "Malformed data received", close LoginFailed
  Ignore,            // nothing
  UnknownType,       // v2: error unknown_type naming the frame's rid; the session goes on
};

// What arrives on a v2 stream (docs/PROTOCOL.md, part II): a frame of a type clients send, a
// frame of a type only servers send, one of a type nobody defined (yet), or no usable frame.
enum class FrameKind : std::uint8_t {
  Login,
  Send,
  Ping,
  Logout,
  Join,
  Leave,
  Rooms,
  Topic,
  Members,
  Remove,
  History,
  Read,
  Passwd,
  Register,
  ServerFrame,
  Unknown,
  Undecodable,
  TooLarge
};
inline constexpr FrameKind kAllFrameKinds[] = {
    FrameKind::Login,       FrameKind::Send,     FrameKind::Ping,        FrameKind::Logout,
    FrameKind::Join,        FrameKind::Leave,    FrameKind::Rooms,       FrameKind::Topic,
    FrameKind::Members,     FrameKind::Remove,   FrameKind::History,     FrameKind::Read,
    FrameKind::Passwd,      FrameKind::Register, FrameKind::ServerFrame, FrameKind::Unknown,
    FrameKind::Undecodable, FrameKind::TooLarge};
std::string_view frame_kind_name(FrameKind);  // "login", "server frame", ...

std::string_view phase_name(Phase);      // "AUTHENTICATED"
std::string_view verdict_name(Verdict);  // "route"
std::string_view phase_event_name(PhaseEvent);
inline constexpr PhaseEvent kAllPhaseEvents[] = {PhaseEvent::PasswordCheckStarted,
                                                 PhaseEvent::ProbeStarted, PhaseEvent::LoginFailed,
                                                 PhaseEvent::LoginSucceeded, PhaseEvent::Close};

Verdict verdict(Phase phase, Inbound in);
Verdict verdict_v2(Phase phase, FrameKind in);
std::optional<Phase> next_phase(Phase from, PhaseEvent event);

// A session's phase and the data that only exists in it.
class SessionPhase {
 public:
  struct Connected {};
  struct LoginPending {
    std::uint64_t ticket;  // the password check in flight
  };
  struct LoginProbing {
    ConnHandle probed;            // the session that holds the name
    std::uint64_t probed_serial;  // and its serial (a handle alone could be a later session's)
  };
  struct Authenticated {
    std::uint64_t user_id;
  };
  struct Closing {};

  Phase phase() const { return static_cast<Phase>(data_.index()); }
  bool is(Phase p) const { return phase() == p; }
  // Valid only in the phase that carries them.
  std::uint64_t ticket() const { return std::get<LoginPending>(data_).ticket; }
  std::uint64_t user_id() const { return std::get<Authenticated>(data_).user_id; }
  const LoginProbing& probing() const { return std::get<LoginProbing>(data_); }

  // Each moves through the transition table; false (and no change) when it forbids the move.
  bool start_check(std::uint64_t ticket) {
    return move(PhaseEvent::PasswordCheckStarted, LoginPending{ticket});
  }
  bool start_probe(ConnHandle probed, std::uint64_t probed_serial) {
    return move(PhaseEvent::ProbeStarted, LoginProbing{probed, probed_serial});
  }
  bool login_failed() { return move(PhaseEvent::LoginFailed, Connected{}); }
  bool login_succeeded(std::uint64_t user_id) {
    return move(PhaseEvent::LoginSucceeded, Authenticated{user_id});
  }
  bool close() { return move(PhaseEvent::Close, Closing{}); }

 private:
  // In Phase's order.
  using Data = std::variant<Connected, LoginPending, LoginProbing, Authenticated, Closing>;
  bool move(PhaseEvent event, Data next);
  Data data_;
};

}  // namespace qc::chat
