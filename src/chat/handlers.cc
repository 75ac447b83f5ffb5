// Handlers of the PDU types an authenticated session (or, for VERSIONS, any session) sends.
#include "chat/core_impl.h"
#include "chat/router.h"
#include "proto/version.h"
#include "util/log.h"

namespace qc::chat {

void Core::Impl::on_versions(Session& s, const proto::Pdu& pdu, TimePoint /*now*/) {
  proto::Decoded<proto::VersionsRequest> request =
      proto::decode_versions_request(pdu.msg, config.limits);
  if (!request) {
    malformed(s, request.error().detail);
    return;
  }
  Result<std::int64_t> selected = proto::negotiate_version(request->versions);
  if (selected) {
    send_to(s, proto::MsgType::Versions, proto::encode_versions_reply({*selected, std::nullopt}));
    return;
  }
  send_to(s, proto::MsgType::Versions,
          proto::encode_versions_reply({std::nullopt, "No compatible version"}));
  close_session(s, proto::CloseCode::ProtocolError, "no compatible protocol version");
}

// Nothing to do: any PDU already refreshed the keep-alive deadline.
void Core::Impl::on_alive(Session& /*s*/, const proto::Pdu& /*pdu*/, TimePoint /*now*/) {}

void Core::Impl::on_one_to_one(Session& s, const proto::Pdu& pdu, TimePoint /*now*/) {
  proto::Decoded<proto::OneToOneRequest> request = proto::decode_one_to_one(pdu.msg, config.limits);
  if (!request) {
    malformed(s, request.error().detail);
    return;
  }
  advance(s, proto::ConnEvent::MessageSent);
  const Routing routing = route_one(presence, request->target_user_id);
  for (const std::string& error : routing.errors)
    send_error(s, proto::MsgType::MsgUnsuccessful, error);
  deliver(proto::MsgType::OneToOne,
          proto::encode_delivery({*s.user_id, s.username, std::move(request->msg)}),
          routing.recipients);
}

void Core::Impl::on_one_to_many(Session& s, const proto::Pdu& pdu, TimePoint /*now*/) {
  proto::Decoded<proto::OneToManyRequest> request =
      proto::decode_one_to_many(pdu.msg, config.limits);
  if (!request) {
    malformed(s, request.error().detail);
    return;
  }
  advance(s, proto::ConnEvent::MessageSent);
  const Routing routing = route_many(presence, request->target_user_ids);
  deliver(proto::MsgType::OneToMany,
          proto::encode_delivery({*s.user_id, s.username, std::move(request->msg)}),
          routing.recipients);
  for (const std::string& error : routing.errors)
    send_error(s, proto::MsgType::MsgUnsuccessful, error);
}

void Core::Impl::on_broadcast(Session& s, const proto::Pdu& pdu, TimePoint /*now*/) {
  proto::Decoded<proto::BroadcastRequest> request = proto::decode_broadcast(pdu.msg, config.limits);
  if (!request) {
    malformed(s, request.error().detail);
    return;
  }
  advance(s, proto::ConnEvent::MessageSent);
  const SharedBytes bytes =
      encode_pdu(proto::MsgType::Broadcast,
                 proto::encode_delivery({*s.user_id, s.username, std::move(request->msg)}));
  out.reserve_more(presence.size());
  for (const Member& m : presence.members()) out.send(m.conn, bytes);
  counters.deliveries += presence.size();
}

void Core::Impl::on_logout(Session& s, const proto::Pdu& /*pdu*/, TimePoint /*now*/) {
  end_presence(s, "logout");
  send_to(s, proto::MsgType::LogoutAck, proto::encode_sys({"Logout successful"}));
  close_session(s, proto::CloseCode::NoError, "logout");
}

}  // namespace qc::chat
