// Inbound path: framer events -> (queued while a password check is in flight) -> decode ->
// dispatch by message type from the route table.
#include <string>

#include "chat/core_impl.h"
#include "chat/login_flow.h"
#include "util/log.h"

namespace qc::chat {

const Core::Impl::Route* Core::Impl::find_route(proto::MsgType type) {
  using proto::MsgType;
  static constexpr Route kRoutes[] = {
      {MsgType::Versions, false, &Impl::on_versions},
      {MsgType::Login, false, &Impl::on_login},
      {MsgType::Alive, true, &Impl::on_alive},
      {MsgType::OneToOne, true, &Impl::on_one_to_one},
      {MsgType::OneToMany, true, &Impl::on_one_to_many},
      {MsgType::Broadcast, true, &Impl::on_broadcast},
      {MsgType::Logout, true, &Impl::on_logout},
  };
  for (const Route& route : kRoutes) {
    if (route.type == type) return &route;
  }
  return nullptr;
}

void Core::Impl::on_frame_event(Session& s, const proto::FrameEvent& event, TimePoint now) {
  if (s.closing) return;
  const bool is_pdu = event.kind == proto::FrameEvent::Kind::Pdu;
  if (is_pdu) s.keepalive_at = now + config.keepalive_timeout;
  if (!s.checking_password()) {
    if (is_pdu) {
      process_pdu(s, event.pdu, now);
    } else {
      process_frame_error(s, event.error, event.detail);
    }
    return;
  }
  if (s.pending.size() >= config.max_pending_pdus) {
    log::warn("pending_overflow", {{"session", s.conn}, {"peer", s.peer}});
    close_session(s, proto::CloseCode::ProtocolError, "too many pending requests");
    return;
  }
  if (is_pdu) {
    s.pending.push_back(InboundItem{std::string(event.pdu), std::nullopt, {}});
  } else {
    s.pending.push_back(InboundItem{{}, event.error, event.detail});
  }
}

void Core::Impl::drain_pending(Session& s, TimePoint now) {
  while (!s.closing && !s.checking_password() && !s.pending.empty()) {
    const InboundItem item = std::move(s.pending.front());
    s.pending.pop_front();
    process(s, item, now);
  }
}

void Core::Impl::process(Session& s, const InboundItem& item, TimePoint now) {
  if (item.error) {
    process_frame_error(s, *item.error, item.detail);
  } else {
    process_pdu(s, item.pdu, now);
  }
}

void Core::Impl::process_frame_error(Session& s, proto::FrameErrc error, std::string_view detail) {
  if (error == proto::FrameErrc::TooLarge) {
    too_large(s);
  } else {
    malformed(s, detail);
  }
}

static_assert([] {
  for (proto::MsgType t : proto::kAllMsgTypes) {
    if (static_cast<std::size_t>(t) >= kMsgTypeSlots) return false;
  }
  return true;
}());

void Core::Impl::process_pdu(Session& s, std::string_view bytes, TimePoint now) {
  proto::Decoded<proto::Pdu> pdu = proto::decode(bytes, config.limits);
  if (!pdu) {
    if (pdu.error().code == proto::DecodeErrc::TooLarge) {
      too_large(s);
    } else {
      malformed(s, pdu.error().detail);
    }
    return;
  }
  ++counters.pdus_received[static_cast<std::size_t>(pdu->type)];
  const Route* route = find_route(pdu->type);
  if (route == nullptr) {
    malformed(s, "unexpected message type " + std::string(proto::msg_type_name(pdu->type)));
    return;
  }
  if (route->needs_login && !s.authenticated()) {
    send_error(s, proto::MsgType::MsgUnsuccessful, kNotAuthenticatedText);
    return;
  }
  (this->*route->handler)(s, *pdu, now);
}

void Core::Impl::malformed(Session& s, std::string_view detail) {
  if (flooding(s)) return;
  count_malformed(s, detail);
  if (!s.authenticated()) {
    reject_before_login(s);
    return;
  }
  advance(s, proto::ConnEvent::Fail);
  advance(s, proto::ConnEvent::Recover);
  send_error(s, proto::MsgType::MsgUnsuccessful, "Malformed data received: " + std::string(detail));
}

void Core::Impl::too_large(Session& s) {
  if (flooding(s)) return;
  count_malformed(s, "PDU too large");
  if (!s.authenticated()) {
    reject_before_login(s);
    return;
  }
  send_error(s, proto::MsgType::MsgUnsuccessful,
             "PDU too large: limit is " + std::to_string(config.limits.max_bytes) + " bytes");
}

// Bad PDUs after login spend the session's message budget: over it they are only counted, so a
// flood of garbage costs neither a reply nor a log line each.
bool Core::Impl::flooding(Session& s) {
  if (!s.authenticated() || s.message_bucket.take(config.message_rate, input_time)) return false;
  ++counters.malformed_pdus;
  ++counters.rate_limited;
  return true;
}

void Core::Impl::count_malformed(Session& s, std::string_view detail) {
  ++counters.malformed_pdus;
  log::warn("malformed_pdu",
            {{"session", s.conn}, {"user", s.log_user()}, {"peer", s.peer}, {"detail", detail}});
}

// Before login nothing is worth keeping the connection for: the original's answer, then close.
void Core::Impl::reject_before_login(Session& s) {
  send_error(s, proto::MsgType::LoginUnsuccessfulDisconnect, "Malformed data received");
  advance(s, proto::ConnEvent::Fail);
  advance(s, proto::ConnEvent::GiveUp);
  close_session(s, proto::CloseCode::LoginFailed, "malformed data");
}

}  // namespace qc::chat
