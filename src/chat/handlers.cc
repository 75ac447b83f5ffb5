// Handlers of the routed PDU types (login.cc has LOGIN) and the one message pipeline.
#include <algorithm>

#include "chat/core_impl.h"
#include "chat/login_flow.h"
#include "proto/version.h"

namespace qc::chat {

void Core::Impl::on_versions(Session& s, const Route& /*route*/, const proto::Pdu& pdu,
                             TimePoint /*now*/) {
  proto::Decoded<proto::VersionsRequest> request =
      proto::decode_versions_request(pdu.msg, config.limits);
  if (!request) {
    malformed(s, request.error().detail);
    return;
  }
  // v2 only on a connection that offers it, and only as the session's first PDU: a session
  // does not change its framing in the middle.
  static constexpr std::int64_t kBoth[] = {1, proto::v2::kVersion};
  const bool v2 = s.offers_v2 && !s.first_pdu_done && s.phase.is(Phase::Connected);
  Result<std::int64_t> selected = v2 ? proto::negotiate_version(request->versions, kBoth)
                                     : proto::negotiate_version(request->versions);
  if (selected) {
    send_to(s, proto::MsgType::Versions, proto::encode_versions_reply({*selected, std::nullopt}));
    if (*selected == proto::v2::kVersion) s.version = 2;
    return;
  }
  send_to(s, proto::MsgType::Versions,
          proto::encode_versions_reply({std::nullopt, "No compatible version"}));
  close_session(s, proto::CloseCode::ProtocolError, "no compatible protocol version");
}

// Over the rate the message is dropped with an error rather than delayed (ergo's fakelag):
// delaying means buffering a flooder's messages, and the error tells an honest client why.
bool Core::Impl::within_message_rate(Session& s, TimePoint now, std::optional<std::uint64_t> rid) {
  if (s.message_bucket.take(config.message_rate, now)) return true;
  if (counters.rate_limited++ % 100 == 0) {  // one log line per 100 drops, not one per drop
    logger.warn("rate_limited", {{"session", s.conn}, {"user", s.log_user()}, {"peer", s.peer}});
  }
  if (s.version == 2)
    send_error_v2(s, rid, proto::v2::code::kRateLimited, std::string(kRateLimitedText));
  else
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
void Core::Impl::on_alive(Session& /*s*/, const Route& /*route*/, const proto::Pdu& /*pdu*/,
                          TimePoint /*now*/) {}

// The one message pipeline (rate already checked by route()): decode, limits, recipients,
// one delivery, then the sender's errors for the targets it could not reach (those whose client
// cannot read a PDU this long last).
void Core::Impl::on_message(Session& s, const Route& route, const proto::Pdu& pdu, TimePoint now) {
  proto::Decoded<MessageRequest> request = route.decode(pdu.msg, config.limits);
  if (!request) {
    malformed(s, request.error().detail);
    return;
  }
  if (!text_fits(s, request->text)) return;
  if (route.audience == Audience::IdList && !targets_fit(s, request->targets)) return;
  Routing routing = resolve(route.audience, request->targets);
  if (v2_authenticated > 0) {  // v2 sessions get the message as v2 frames; the rest as before
    std::vector<ConnHandle> v1_to, v2_to;
    split_by_version(routing.recipients, 0, v1_to, v2_to);
    routing.recipients = std::move(v1_to);
    if (!v2_to.empty() && !config.store_messages)
      v2_copies_of_v1_message(s, route.type, routing, request->text, now);
  }
  // Stored, one op per conversation (not per recipient); v2 sessions get it after the commit.
  if (config.store_messages) store_v1_message(s, route.type, routing, request->text, now);
  SharedBytes bytes =
      encode_pdu(route.type,
                 proto::encode_delivery({s.phase.user_id(), s.username, std::move(request->text)}));
  const std::vector<ConnHandle> too_long = leave_out_too_long(routing.recipients, bytes->size());
  deliver(std::move(bytes), std::move(routing.recipients));
  for (const std::string& error : routing.errors)
    send_error(s, proto::MsgType::MsgUnsuccessful, error);
  if (!too_long.empty()) send_error(s, proto::MsgType::MsgUnsuccessful, too_long_error(too_long));
}

Routing Core::Impl::resolve(Audience audience, std::string_view targets) const {
  switch (audience) {
    case Audience::OneId:
      return route_one(presence, targets, &remote_members);
    case Audience::IdList:
      return route_many(presence, targets, &remote_members);
    case Audience::Everyone:
      break;
  }
  return route_everyone(presence);
}

void Core::Impl::on_logout(Session& s, const Route& /*route*/, const proto::Pdu& /*pdu*/,
                           TimePoint /*now*/) {
  const Reply ack = encode_pdu(proto::MsgType::LogoutAck, proto::encode_sys({"Logout successful"}));
  close_session(s, proto::CloseCode::NoError, "logout", &ack);
}

}  // namespace qc::chat
