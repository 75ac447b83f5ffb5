// Handlers of the PDU types an authenticated session (or, for VERSIONS, any session) sends.
#include <algorithm>

#include "chat/core_impl.h"
#include "chat/login_flow.h"
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

// Over the rate the message is dropped with an error rather than delayed (ergo's fakelag):
// delaying means buffering a flooder's messages, and the error tells an honest client why.
bool Core::Impl::within_message_rate(Session& s, TimePoint now) {
  if (s.message_bucket.take(config.message_rate, now)) return true;
  if (counters.rate_limited++ % 100 == 0) {  // one log line per 100 drops, not one per drop
    log::warn("rate_limited", {{"session", s.conn}, {"user", s.log_user()}, {"peer", s.peer}});
  }
  send_error(s, proto::MsgType::MsgUnsuccessful, kRateLimitedText);
  return false;
}

bool Core::Impl::text_fits(Session& s, const std::string& text) {
  if (text.size() <= config.max_text_bytes) return true;
  send_error(s, proto::MsgType::MsgUnsuccessful,
             "Message too long: limit is " + std::to_string(config.max_text_bytes) + " bytes");
  return false;
}

bool Core::Impl::targets_fit(Session& s, std::string_view target_ids) {
  const auto ids =
      static_cast<std::size_t>(std::count(target_ids.begin(), target_ids.end(), ',')) + 1;
  if (ids <= config.max_targets) return true;
  send_error(s, proto::MsgType::MsgUnsuccessful,
             "Too many targets: limit is " + std::to_string(config.max_targets));
  return false;
}

// Nothing to do: any PDU already refreshed the keep-alive deadline.
void Core::Impl::on_alive(Session& /*s*/, const proto::Pdu& /*pdu*/, TimePoint /*now*/) {}

void Core::Impl::on_one_to_one(Session& s, const proto::Pdu& pdu, TimePoint now) {
  if (!within_message_rate(s, now)) return;
  proto::Decoded<proto::OneToOneRequest> request = proto::decode_one_to_one(pdu.msg, config.limits);
  if (!request) {
    malformed(s, request.error().detail);
    return;
  }
  if (!text_fits(s, request->msg)) return;
  const Routing routing = route_one(presence, request->target_user_id);
  for (const std::string& error : routing.errors)
    send_error(s, proto::MsgType::MsgUnsuccessful, error);
  deliver(proto::MsgType::OneToOne,
          proto::encode_delivery({s.phase.user_id(), s.username, std::move(request->msg)}),
          routing.recipients);
}

void Core::Impl::on_one_to_many(Session& s, const proto::Pdu& pdu, TimePoint now) {
  if (!within_message_rate(s, now)) return;
  proto::Decoded<proto::OneToManyRequest> request =
      proto::decode_one_to_many(pdu.msg, config.limits);
  if (!request) {
    malformed(s, request.error().detail);
    return;
  }
  if (!text_fits(s, request->msg) || !targets_fit(s, request->target_user_ids)) return;
  const Routing routing = route_many(presence, request->target_user_ids);
  deliver(proto::MsgType::OneToMany,
          proto::encode_delivery({s.phase.user_id(), s.username, std::move(request->msg)}),
          routing.recipients);
  for (const std::string& error : routing.errors)
    send_error(s, proto::MsgType::MsgUnsuccessful, error);
}

void Core::Impl::on_broadcast(Session& s, const proto::Pdu& pdu, TimePoint now) {
  if (!within_message_rate(s, now)) return;
  proto::Decoded<proto::BroadcastRequest> request = proto::decode_broadcast(pdu.msg, config.limits);
  if (!request) {
    malformed(s, request.error().detail);
    return;
  }
  if (!text_fits(s, request->msg)) return;
  const SharedBytes bytes =
      encode_pdu(proto::MsgType::Broadcast,
                 proto::encode_delivery({s.phase.user_id(), s.username, std::move(request->msg)}));
  out.reserve_more(presence.size());
  for (const Member& m : presence.members()) out.send(m.conn, bytes);
  counters.deliveries += presence.size();
}

void Core::Impl::on_logout(Session& s, const proto::Pdu& /*pdu*/, TimePoint /*now*/) {
  const Reply ack{proto::MsgType::LogoutAck, proto::encode_sys({"Logout successful"})};
  close_session(s, proto::CloseCode::NoError, "logout", &ack);
}

}  // namespace qc::chat
