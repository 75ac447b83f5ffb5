// Inbound path: framer events -> decode -> the inbound table's verdict for the session's phase
// (session_phase.h): route by message type, queue while a password check is in flight, or answer.
#include <string>

#include "chat/core_impl.h"
#include "chat/login_flow.h"

namespace qc::chat {

namespace {

using Request = MessageRequest;

proto::Decoded<Request> one_to_one_request(std::string_view msg,
                                           const proto::DecodeLimits& limits) {
  proto::Decoded<proto::OneToOneRequest> r = proto::decode_one_to_one(msg, limits);
  if (!r) return Unexpected{std::move(r.error())};
  return Request{std::move(r->target_user_id), std::move(r->msg)};
}

proto::Decoded<Request> one_to_many_request(std::string_view msg,
                                            const proto::DecodeLimits& limits) {
  proto::Decoded<proto::OneToManyRequest> r = proto::decode_one_to_many(msg, limits);
  if (!r) return Unexpected{std::move(r.error())};
  return Request{std::move(r->target_user_ids), std::move(r->msg)};
}

proto::Decoded<Request> broadcast_request(std::string_view msg, const proto::DecodeLimits& limits) {
  proto::Decoded<proto::BroadcastRequest> r = proto::decode_broadcast(msg, limits);
  if (!r) return Unexpected{std::move(r.error())};
  return Request{{}, std::move(r->msg)};
}

}  // namespace

const Core::Impl::Route* Core::Impl::find_route(proto::MsgType type) {
  using proto::MsgType;
  using A = Audience;
  static constexpr Route kRoutes[] = {
      {MsgType::Versions, &Impl::on_versions},
      {MsgType::Login, &Impl::on_login},
      {MsgType::Alive, &Impl::on_alive},
      {MsgType::Logout, &Impl::on_logout},
      // Messages: type, pipeline, rate, decoder, recipients.
      {MsgType::OneToOne, &Impl::on_message, true, &one_to_one_request, A::OneId},
      {MsgType::OneToMany, &Impl::on_message, true, &one_to_many_request, A::IdList},
      {MsgType::Broadcast, &Impl::on_message, true, &broadcast_request, A::Everyone},
  };
  for (const Route& route : kRoutes) {
    if (route.type == type) return &route;
  }
  return nullptr;
}

void Core::Impl::on_frame_event(Session& s, const proto::FrameEvent& event, TimePoint now) {
  if (event.kind != proto::FrameEvent::Kind::Pdu) {
    take_frame_error(s, event.error, event.detail);
    return;
  }
  s.heard_from = true;
  s.last_heard = now;
  if (!s.phase.is(Phase::Closing)) s.keepalive_at = now + config.keepalive_timeout;
  take_pdu(s, event.pdu, now);
}

void Core::Impl::process(Session& s, const InboundItem& item, TimePoint now) {
  if (s.version == 2) {
    if (item.error)
      on_frame_event_v2(
          s, proto::FrameEvent{proto::FrameEvent::Kind::Error, {}, *item.error, item.detail}, now);
    else
      take_frame_v2(s, item.pdu, now);
    return;
  }
  if (item.error) {
    take_frame_error(s, *item.error, item.detail);
  } else {
    take_pdu(s, item.pdu, now);
  }
}

static_assert([] {
  for (proto::MsgType t : proto::kAllMsgTypes) {
    if (static_cast<std::size_t>(t) >= kMsgTypeSlots) return false;
  }
  return true;
}());

constexpr std::string_view kTooLargeDetail = "PDU too large";

// Decodes, then does what the inbound table says for this PDU in the session's phase. A queued
// PDU is decoded again when its turn comes, in the phase it then finds.
void Core::Impl::take_pdu(Session& s, std::string_view bytes, TimePoint now) {
  proto::Decoded<proto::Pdu> pdu = proto::decode(bytes, config.limits);
  Inbound in{InboundKind::Pdu, pdu ? pdu->type : proto::MsgType::Versions};
  if (!pdu) {
    const bool large = pdu.error().code == proto::DecodeErrc::TooLarge;
    in.kind = large ? InboundKind::TooLarge : InboundKind::Undecodable;
  }
  const Verdict v = verdict(s.phase.phase(), in);
  if (v == Verdict::Queue) return queue(s, InboundItem{std::string(bytes), std::nullopt, {}});
  if (v == Verdict::Ignore) return;
  if (!pdu) s.first_pdu_done = true;
  if (!pdu) {
    act(s, v, nullptr, in.kind == InboundKind::TooLarge ? kTooLargeDetail : pdu.error().detail,
        now);
    return;
  }
  ++counters.pdus_received[static_cast<std::size_t>(pdu->type)];
  const std::string detail =
      v == Verdict::Route ? std::string()
                          : "unexpected message type " + std::string(proto::msg_type_name(in.type));
  act(s, v, &*pdu, detail, now);
  s.first_pdu_done = true;
}

void Core::Impl::take_frame_error(Session& s, proto::FrameErrc error, std::string_view detail) {
  const bool large = error == proto::FrameErrc::TooLarge;
  const Verdict v =
      verdict(s.phase.phase(), Inbound{large ? InboundKind::TooLarge : InboundKind::Undecodable});
  if (v == Verdict::Queue) return queue(s, InboundItem{{}, error, std::string(detail)});
  act(s, v, nullptr, large ? kTooLargeDetail : detail, input_time);
}

void Core::Impl::act(Session& s, Verdict verdict, const proto::Pdu* pdu, std::string_view detail,
                     TimePoint now) {
  switch (verdict) {
    case Verdict::Route:
      route(s, *pdu, now);
      return;
    case Verdict::NotAuthenticated:
      send_error(s, proto::MsgType::MsgUnsuccessful, kNotAuthenticatedText);
      return;
    case Verdict::AlreadyLoggedIn:
      send_error(s, proto::MsgType::MsgUnsuccessful, kAlreadyAuthenticatedText);
      return;
    case Verdict::Malformed:
      report_malformed(s, detail);
      return;
    case Verdict::TooLarge:
      report_too_large(s);
      return;
    case Verdict::RejectLogin:
      reject_login(s, detail);
      return;
    case Verdict::Queue:  // handled by the callers: they know what to keep
    case Verdict::Ignore:
    case Verdict::UnknownType:  // v2 only
      return;
  }
}

// Over the message rate the PDU is dropped before it is even decoded.
void Core::Impl::route(Session& s, const proto::Pdu& pdu, TimePoint now) {
  const Route* r = find_route(pdu.type);
  if (r == nullptr) return;  // the inbound table routes only types that have a route
  if (r->counts_against_rate && !within_message_rate(s, now)) return;
  (this->*r->handler)(s, *r, pdu, now);
}

void Core::Impl::queue(Session& s, InboundItem item) {
  if (s.pending.size() >= config.max_pending_pdus) {
    logger.warn("pending_overflow", {{"session", s.conn}, {"peer", s.peer}});
    close_session(s, proto::CloseCode::ProtocolError, "too many pending requests");
    return;
  }
  s.pending.push_back(std::move(item));
}

// Stops when an item starts a new password check (or probe): the rest waits for its answer.
void Core::Impl::drain_pending(Session& s, TimePoint now) {
  while (!s.pending.empty() && !s.phase.is(Phase::LoginPending) &&
         !s.phase.is(Phase::LoginProbing)) {
    const InboundItem item = std::move(s.pending.front());
    s.pending.pop_front();
    process(s, item, now);
  }
}

void Core::Impl::malformed(Session& s, std::string_view detail) {
  act(s, verdict(s.phase.phase(), Inbound{InboundKind::Undecodable}), nullptr, detail, input_time);
}

void Core::Impl::report_malformed(Session& s, std::string_view detail) {
  if (flooding(s)) return;
  count_malformed(s, detail);
  send_error(s, proto::MsgType::MsgUnsuccessful, "Malformed data received: " + std::string(detail));
}

void Core::Impl::report_too_large(Session& s) {
  if (flooding(s)) return;
  count_malformed(s, kTooLargeDetail);
  send_error(s, proto::MsgType::MsgUnsuccessful,
             "PDU too large: limit is " + std::to_string(config.limits.max_bytes) + " bytes");
}

// Bad PDUs after login spend the session's message budget: over it they are only counted, so a
// flood of garbage costs neither a reply nor a log line each.
bool Core::Impl::flooding(Session& s) {
  if (s.message_bucket.take(config.message_rate, input_time)) return false;
  ++counters.malformed_pdus;
  ++counters.rate_limited;
  return true;
}

void Core::Impl::count_malformed(Session& s, std::string_view detail) {
  ++counters.malformed_pdus;
  logger.warn("malformed_pdu",
              {{"session", s.conn}, {"user", s.log_user()}, {"peer", s.peer}, {"detail", detail}});
}

// Before login nothing is worth keeping the connection for: the original's answer, then close.
void Core::Impl::reject_login(Session& s, std::string_view detail) {
  count_malformed(s, detail);
  send_error(s, proto::MsgType::LoginUnsuccessfulDisconnect, "Malformed data received");
  close_session(s, proto::CloseCode::LoginFailed, "malformed data");
}

constexpr std::string_view kTruncatedDetail = "the stream ended inside a PDU";

// A FIN: no more input can come. A half PDU is a framing error that nothing can complete any
// more: before login the answer of any framing error (reject_login), after it MSG_UNSUCCESSFUL
// and close ProtocolError. A FIN at a PDU boundary ends the session like a logout.
void Core::Impl::end_of_stream(Session& s) {
  const bool mid = s.version == 2 ? s.v2_reader.mid_frame() : s.framer.mid_object();
  if (!mid) {
    logger.info("stream_ended", {{"session", s.conn}, {"user", s.log_user()}, {"peer", s.peer}});
    close_session(s, proto::CloseCode::NoError, "stream ended");
    return;
  }
  if (s.version == 2)
    return act_v2(s, verdict_v2(s.phase.phase(), FrameKind::Undecodable), nullptr, kTruncatedDetail,
                  input_time);
  if (!s.phase.is(Phase::Authenticated)) return reject_login(s, kTruncatedDetail);
  count_malformed(s, kTruncatedDetail);
  send_error(s, proto::MsgType::MsgUnsuccessful,
             "Malformed data received: " + std::string(kTruncatedDetail));
  close_session(s, proto::CloseCode::ProtocolError, kTruncatedDetail);
}

}  // namespace qc::chat
