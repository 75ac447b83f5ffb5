#include "chat/session_phase.h"

#include <array>

namespace qc::chat {
namespace {

using M = proto::MsgType;
using V = Verdict;

struct InboundRule {
  Inbound in;
  // Indexed by Phase: Connected, LoginPending, LoginProbing, Authenticated, Closing.
  std::array<Verdict, 5> by_phase;
};

constexpr Inbound pdu(M type) { return {InboundKind::Pdu, type}; }

// What each inbound PDU does in each phase. While a password check or a probe is in flight
// everything waits for its answer; server-only types are malformed input.
constexpr InboundRule kInbound[] = {
    // CONNECTED, LOGIN_PENDING, LOGIN_PROBING, AUTHENTICATED, CLOSING
    {pdu(M::Versions), {V::Route, V::Queue, V::Queue, V::Route, V::Ignore}},
    {pdu(M::Login), {V::Route, V::Queue, V::Queue, V::AlreadyLoggedIn, V::Ignore}},
    {pdu(M::LoginAck), {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {pdu(M::LoginBroadcast), {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {pdu(M::LoginUnsuccessfulRetry), {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {pdu(M::LoginUnsuccessfulDisconnect),
     {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {pdu(M::Alive), {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {pdu(M::OneToOne), {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {pdu(M::OneToMany), {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {pdu(M::Broadcast), {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {pdu(M::MsgUnsuccessful), {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {pdu(M::Logout), {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {pdu(M::LogoutAck), {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {pdu(M::LogoutBroadcast), {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {{InboundKind::Undecodable}, {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {{InboundKind::TooLarge}, {V::RejectLogin, V::Queue, V::Queue, V::TooLarge, V::Ignore}},
};

struct FrameRule {
  FrameKind in;
  std::array<Verdict, 5> by_phase;  // indexed by Phase, as kInbound
};

using F = FrameKind;

// The same for v2 frames. Ping and logout need no login, and register is only for a session that
// has not logged in; an unknown type is refused and the session goes on, so that v2 can grow new
// frame types.
constexpr FrameRule kInboundV2[] = {
    // CONNECTED, LOGIN_PENDING, LOGIN_PROBING, AUTHENTICATED, CLOSING
    {F::Login, {V::Route, V::Queue, V::Queue, V::AlreadyLoggedIn, V::Ignore}},
    {F::Send, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Ping, {V::Route, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Logout, {V::Route, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Join, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Leave, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Rooms, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Topic, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Members, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Remove, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::History, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Read, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Passwd, {V::NotAuthenticated, V::Queue, V::Queue, V::Route, V::Ignore}},
    {F::Register, {V::Route, V::Queue, V::Queue, V::AlreadyLoggedIn, V::Ignore}},
    {F::ServerFrame, {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {F::Unknown, {V::UnknownType, V::Queue, V::Queue, V::UnknownType, V::Ignore}},
    {F::Undecodable, {V::RejectLogin, V::Queue, V::Queue, V::Malformed, V::Ignore}},
    {F::TooLarge, {V::RejectLogin, V::Queue, V::Queue, V::TooLarge, V::Ignore}},
};
static_assert(std::size(kInboundV2) == std::size(kAllFrameKinds));

struct PhaseTransition {
  Phase from;
  PhaseEvent event;
  Phase to;
};

// The whole machine; a (phase, event) pair that is not listed is forbidden.
constexpr PhaseTransition kPhaseTransitions[] = {
    {Phase::Connected, PhaseEvent::PasswordCheckStarted, Phase::LoginPending},
    {Phase::LoginPending, PhaseEvent::LoginFailed, Phase::Connected},
    {Phase::LoginPending, PhaseEvent::LoginSucceeded, Phase::Authenticated},
    {Phase::LoginPending, PhaseEvent::ProbeStarted, Phase::LoginProbing},
    {Phase::LoginProbing, PhaseEvent::LoginFailed, Phase::Connected},
    {Phase::LoginProbing, PhaseEvent::LoginSucceeded, Phase::Authenticated},
    {Phase::Connected, PhaseEvent::Close, Phase::Closing},
    {Phase::LoginPending, PhaseEvent::Close, Phase::Closing},
    {Phase::LoginProbing, PhaseEvent::Close, Phase::Closing},
    {Phase::Authenticated, PhaseEvent::Close, Phase::Closing},
};

constexpr bool same(Inbound a, Inbound b) {
  return a.kind == b.kind && (a.kind != InboundKind::Pdu || a.type == b.type);
}

constexpr bool every_type_has_one_rule() {
  for (M type : proto::kAllMsgTypes) {
    int rules = 0;
    for (const InboundRule& r : kInbound) rules += same(r.in, pdu(type)) ? 1 : 0;
    if (rules != 1) return false;
  }
  return std::size(kInbound) == std::size(proto::kAllMsgTypes) + 2;
}
static_assert(every_type_has_one_rule());

}  // namespace

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::Connected:
      return "CONNECTED";
    case Phase::LoginPending:
      return "LOGIN_PENDING";
    case Phase::LoginProbing:
      return "LOGIN_PROBING";
    case Phase::Authenticated:
      return "AUTHENTICATED";
    case Phase::Closing:
      return "CLOSING";
  }
  return "UNKNOWN";
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case V::Route:
      return "route";
    case V::Queue:
      return "queue";
    case V::NotAuthenticated:
      return "not authenticated";
    case V::AlreadyLoggedIn:
      return "already logged in";
    case V::Malformed:
      return "malformed";
    case V::TooLarge:
      return "too large";
    case V::RejectLogin:
      return "reject login";
    case V::Ignore:
      return "ignore";
    case V::UnknownType:
      return "unknown type";
  }
  return "unknown";
}

std::string_view phase_event_name(PhaseEvent e) {
  switch (e) {
    case PhaseEvent::PasswordCheckStarted:
      return "PasswordCheckStarted";
    case PhaseEvent::ProbeStarted:
      return "ProbeStarted";
    case PhaseEvent::LoginFailed:
      return "LoginFailed";
    case PhaseEvent::LoginSucceeded:
      return "LoginSucceeded";
    case PhaseEvent::Close:
      return "Close";
  }
  return "Unknown";
}

Verdict verdict(Phase phase, Inbound in) {
  for (const InboundRule& r : kInbound) {
    if (same(r.in, in)) return r.by_phase[static_cast<std::size_t>(phase)];
  }
  return phase == Phase::Closing ? V::Ignore : V::Malformed;  // unreachable: every input listed
}

Verdict verdict_v2(Phase phase, FrameKind in) {
  for (const FrameRule& r : kInboundV2) {
    if (r.in == in) return r.by_phase[static_cast<std::size_t>(phase)];
  }
  return phase == Phase::Closing ? V::Ignore : V::Malformed;  // unreachable: every kind listed
}

std::string_view frame_kind_name(FrameKind k) {
  switch (k) {
    case F::Login:
      return "login";
    case F::Send:
      return "send";
    case F::Ping:
      return "ping";
    case F::Logout:
      return "logout";
    case F::Join:
      return "join";
    case F::Leave:
      return "leave";
    case F::Rooms:
      return "rooms";
    case F::Topic:
      return "topic";
    case F::Members:
      return "members";
    case F::Remove:
      return "remove";
    case F::History:
      return "history";
    case F::Read:
      return "read";
    case F::Passwd:
      return "passwd";
    case F::Register:
      return "register";
    case F::ServerFrame:
      return "server frame";
    case F::Unknown:
      return "unknown type";
    case F::Undecodable:
      return "undecodable";
    case F::TooLarge:
      return "too large";
  }
  return "unknown";
}

std::optional<Phase> next_phase(Phase from, PhaseEvent event) {
  for (const PhaseTransition& t : kPhaseTransitions) {
    if (t.from == from && t.event == event) return t.to;
  }
  return std::nullopt;
}

bool SessionPhase::move(PhaseEvent event, Data next) {
  const std::optional<Phase> to = next_phase(phase(), event);
  if (!to || static_cast<std::size_t>(*to) != next.index()) return false;
  data_ = std::move(next);
  return true;
}

}  // namespace qc::chat
