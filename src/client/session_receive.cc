// ClientSession's v1 receive path: stream bytes -> framer -> PDU -> Event (v2: session_v2.cc).
#include "client/session.h"

namespace qc::client {

using proto::ConnEvent;
using proto::ConnState;
using proto::MsgType;

void ClientSession::violation(std::string detail) {
  events_.emplace_back(ProtocolViolation{std::move(detail)});
}

void ClientSession::on_bytes(std::string_view bytes) {
  if (version_ == proto::v2::kVersion) return feed_v2(bytes);
  feed_v1(bytes);
}

// v1 framing up to the VERSIONS reply that selects 2; the rest of the chunk is v2.
void ClientSession::feed_v1(std::string_view bytes) {
  const std::size_t used = framer_.feed_until(bytes, [this](const proto::FrameEvent& ev) {
    if (ev.kind == proto::FrameEvent::Kind::Pdu) {
      on_pdu(ev.pdu);
    } else {
      violation("framing: " + ev.detail);
    }
    return version_ != proto::v2::kVersion;
  });
  if (version_ == proto::v2::kVersion && used < bytes.size()) feed_v2(bytes.substr(used));
}

void ClientSession::on_pdu(std::string_view bytes) {
  auto pdu = proto::decode(bytes, limits_);
  if (!pdu) {
    violation("undecodable PDU: " + pdu.error().detail);
    return;
  }
  if (!proto::accepts(state(), proto::Direction::ServerToClient, pdu->type)) {
    violation(std::string(proto::msg_type_name(pdu->type)) + " not expected in " +
              std::string(proto::conn_state_name(state())));
    return;
  }
  dispatch(*pdu);
}

void ClientSession::dispatch(const proto::Pdu& pdu) {
  switch (pdu.type) {
    case MsgType::Versions:
      return on_versions(pdu);
    case MsgType::LoginAck:
      return on_login_ack(pdu);
    case MsgType::LoginBroadcast:
    case MsgType::LogoutBroadcast:
      return on_user_list(pdu);
    case MsgType::LoginUnsuccessfulRetry:
    case MsgType::LoginUnsuccessfulDisconnect:
    case MsgType::MsgUnsuccessful:
      return on_error_reply(pdu);
    case MsgType::OneToOne:
      return on_delivery(pdu, MessageKind::OneToOne);
    case MsgType::OneToMany:
      return on_delivery(pdu, MessageKind::OneToMany);
    case MsgType::Broadcast:
      return on_delivery(pdu, MessageKind::Broadcast);
    case MsgType::LogoutAck:
      return on_logout_ack(pdu);
    case MsgType::Login:
    case MsgType::Alive:
    case MsgType::Logout:
      break;
  }
  violation(std::string(proto::msg_type_name(pdu.type)) + " is not sent by servers");
}

void ClientSession::on_versions(const proto::Pdu& pdu) {
  auto reply = proto::decode_versions_reply(pdu.msg, limits_);
  if (!reply) return violation("VERSIONS reply: " + reply.error().detail);
  if (!awaiting_version_ && offered_v2_) return violation("a second VERSIONS reply");
  awaiting_version_ = false;
  if (reply->selected_version) {
    const std::int64_t selected = *reply->selected_version;
    const bool offered = selected == 1 || (selected == proto::v2::kVersion && offered_v2_);
    if (!offered) {
      held_login_.reset();
      return violation("VERSIONS reply selects version " + std::to_string(selected) +
                       ", which was not offered");
    }
    version_ = selected;
    events_.emplace_back(VersionSelected{selected});
    release_held_login();
    return;
  }
  held_login_.reset();
  events_.emplace_back(VersionRejected{reply->error.value_or("No compatible version")});
  apply(ConnEvent::Disconnect);
}

void ClientSession::on_login_ack(const proto::Pdu& pdu) {
  auto users = proto::decode_user_list(pdu.msg, limits_);
  if (!users) return violation("LOGIN_ACK: " + users.error().detail);
  if (users->empty()) return violation("LOGIN_ACK: empty user list");
  my_id_ = users->back().user_id;
  my_name_ = users->back().username;
  presence_.replace(*users);
  apply(ConnEvent::LoginSucceeded);
  events_.emplace_back(LoginOk{std::move(*users), *my_id_});
}

void ClientSession::on_user_list(const proto::Pdu& pdu) {
  auto users = proto::decode_user_list(pdu.msg, limits_);
  if (!users)
    return violation(std::string(proto::msg_type_name(pdu.type)) + ": " + users.error().detail);
  presence_.replace(*users);
  if (pdu.type == MsgType::LoginBroadcast) {
    events_.emplace_back(UsersJoined{std::move(*users)});
  } else {
    events_.emplace_back(UsersLeft{std::move(*users)});
  }
}

void ClientSession::on_delivery(const proto::Pdu& pdu, MessageKind kind) {
  auto d = proto::decode_delivery(pdu.msg, limits_);
  if (!d) return violation(std::string(proto::msg_type_name(pdu.type)) + ": " + d.error().detail);
  Message m;
  m.kind = kind;
  m.sender_id = d->sender_user_id;
  m.sender_name = std::move(d->sender_username);
  m.text = std::move(d->msg);
  events_.emplace_back(std::move(m));
}

void ClientSession::on_error_reply(const proto::Pdu& pdu) {
  auto e = proto::decode_error(pdu.msg, limits_);
  if (!e) return violation(std::string(proto::msg_type_name(pdu.type)) + ": " + e.error().detail);
  switch (pdu.type) {
    case MsgType::LoginUnsuccessfulRetry:
      events_.emplace_back(LoginRetry{std::move(e->error)});
      break;
    case MsgType::LoginUnsuccessfulDisconnect:
      apply(ConnEvent::Disconnect);
      events_.emplace_back(LoginRejected{std::move(e->error)});
      break;
    default:
      events_.emplace_back(ServerError{std::move(e->error)});
      break;
  }
}

void ClientSession::on_logout_ack(const proto::Pdu& pdu) {
  auto s = proto::decode_sys(pdu.msg, limits_);
  if (!s) return violation("LOGOUT_ACK: " + s.error().detail);
  apply(ConnEvent::Disconnect);
  events_.emplace_back(LoggedOut{std::move(s->sys)});
}

}  // namespace qc::client
