// ClientSession in protocol v2: requests as v2 frames (each with a fresh rid), and the receive
// path stream bytes -> v2::FrameReader -> frame -> Event.
#include <algorithm>
#include "client/command_text.h"
#include "client/overloaded.h"

#include "client/session.h"
#include "proto/v2/codec.h"

namespace qc::client {

namespace v2 = proto::v2;
using proto::ConnEvent;

using text::same_ignoring_case;

// --- requests ----------------------------------------------------------------------------------

void ClientSession::queue_v2(const v2::Frame& frame) {
  outbox_.push_back(make_shared_bytes(v2::encode_frame(frame)));
}

void ClientSession::release_held_login() {
  if (!held_login_) return;
  HeldLogin login = std::move(*held_login_);
  held_login_.reset();
  if (version_ == v2::kVersion && login.register_first) {
    register_v2(std::move(login));
  } else if (version_ == v2::kVersion) {
    login_v2(login);
  } else if (login.register_first) {
    events_.emplace_back(
        LoginRejected{"registration needs protocol v2; this server chose 1", "v1"});
  } else {
    login_v1(login);
  }
}

// The login waits for the answer: on the server a login checked before the account is stored
// would fail.
void ClientSession::register_v2(HeldLogin login) {
  const auto rid = next_rid();
  (void)request(v2::Register{rid, login.user, login.password}, rid,
                {RequestKind::Register, {}, login.user, {}, 0});
  login.register_first = false;
  held_login_ = std::move(login);
}

Result<void> ClientSession::change_password(std::string_view old_password,
                                            std::string_view new_password) {
  if (version_ != v2::kVersion) return fail("v1_no_passwd", "changing passwords needs protocol v2");
  if (auto ok = require_logged_in("change the password"); !ok) return ok;
  const auto rid = next_rid();
  return request(v2::Passwd{rid, std::string(old_password), std::string(new_password)}, rid,
                 {RequestKind::Passwd, {}, my_name_, {}, 0});
}

void ClientSession::login_v2(const HeldLogin& login) {
  const auto rid = next_rid();
  pending_[rid] = RequestKind::Login;
  v2::Login frame{rid, login.user, login.password, login.device, login.since};
  frame.epoch = login.since.empty() ? 0 : login.since_epoch;
  queue_v2(frame);
}

Result<void> ClientSession::send_to(const std::vector<std::string>& names, std::string_view text) {
  if (version_ != v2::kVersion) return fail("v1_no_names", "sending to names needs protocol v2");
  if (auto ok = require_logged_in("send"); !ok) return ok;
  if (names.empty()) return fail("no_target", "no recipient named");
  OutgoingSend send;
  send.to = names;
  send.text = std::string(text);
  return send_v2(std::move(send));
}

Result<void> ClientSession::resend(const OutgoingSend& send) {
  if (version_ != v2::kVersion) return fail("v1_no_resend", "re-sending needs protocol v2");
  if (auto ok = require_logged_in("send"); !ok) return ok;
  for (auto it = pending_sends_.begin(); it != pending_sends_.end();) {
    it = it->second.cid == send.cid ? pending_sends_.erase(it) : std::next(it);
  }
  return send_v2(send);
}

// A fresh rid always; a fresh cid unless the send already has one (a resend).
Result<void> ClientSession::send_v2(OutgoingSend send) {
  send.rid = next_rid();
  if (send.cid.empty()) send.cid = cid_tag_ + "-" + std::to_string(next_cid_++);
  pending_[send.rid] = RequestKind::Send;
  queue_v2(v2::Send{send.rid, send.to, send.conv, send.text, send.cid});
  last_send_ = send;
  pending_sends_[send.rid] = std::move(send);
  return {};
}

bool ClientSession::is_my_cid(std::string_view cid) const {
  return cid.size() > cid_tag_.size() && cid.starts_with(cid_tag_) && cid[cid_tag_.size()] == '-';
}

// --- receive -----------------------------------------------------------------------------------

void ClientSession::feed_v2(std::string_view bytes) {
  v2_reader_.feed(bytes, [this](const proto::FrameEvent& ev) {
    if (ev.kind == proto::FrameEvent::Kind::Pdu) {
      on_v2_body(ev.pdu);
    } else {
      violation("framing: " + ev.detail);
    }
    return true;
  });
}

void ClientSession::on_v2_body(std::string_view body) {
  auto frame = v2::decode_body(body, limits_);
  if (!frame) return violation("undecodable frame: " + frame.error().detail);
  std::visit(Overloaded{
                 [this](v2::Welcome& f) { on_welcome(f); },
                 [this](v2::Presence& f) { on_presence(f); },
                 [this](v2::Msg& f) { on_msg(f); },
                 [this](v2::Ack& f) { on_ack(f); },
                 [this](v2::Pong& f) { pending_.erase(f.rid); },
                 [this](v2::Bye& f) { on_bye(f); },
                 [this](v2::Error& f) { on_v2_error(f); },
                 [this](v2::Room& f) { on_room(f); },
                 [this](v2::RoomList& f) { on_room_list(f); },
                 [this](v2::MemberList& f) { on_member_list(f); },
                 [this](v2::RoomEvent& f) { on_room_event(f); },
                 [this](v2::Page& f) { on_page(f); },
                 [this](v2::Synced& f) { on_synced(f); },
                 [this](v2::Cursor& f) { on_cursor(f); },
                 [this](v2::Ok& f) { on_ok(f); },
                 [](v2::Unknown&) {},  // a frame type from a newer server: ignored
                 [this](auto& f) {
                   violation(std::string(v2::frame_type_name(f)) + " is not sent by servers");
                 },
             },
             *frame);
}

void ClientSession::on_welcome(v2::Welcome& w) {
  if (logged_in()) return violation("welcome while logged in");
  pending_.erase(w.rid);
  my_name_ = w.user;
  device_ = w.device;
  apply(ConnEvent::LoginSucceeded);
  events_.emplace_back(Welcome{std::move(w.user), w.account, std::move(w.device), w.ts});
}

void ClientSession::on_presence(v2::Presence& p) {
  if (p.snapshot) {
    online_ = {p.online.begin(), p.online.end()};
    events_.emplace_back(PresenceSnapshot{std::move(p.online)});
    return;
  }
  for (const auto& name : p.left) online_.erase(name);
  for (const auto& name : p.joined) online_.insert(name);
  events_.emplace_back(PresenceChanged{std::move(p.joined), std::move(p.left)});
}

void ClientSession::on_msg(v2::Msg& m) {
  // A copy of a message this device sent: its Ack already reported it.
  if (same_ignoring_case(m.from, my_name_) && is_my_cid(m.cid)) return;
  events_.emplace_back(message_from(m));
}

void ClientSession::on_ack(v2::Ack& a) {
  pending_.erase(a.rid);
  Acked e;
  if (auto it = pending_sends_.find(a.rid); it != pending_sends_.end()) {
    e.send = std::move(it->second);
    pending_sends_.erase(it);
  } else {
    e.send.rid = a.rid;
    e.send.cid = a.cid;
  }
  for (const auto& sent : a.sent) {
    if (!sent.to.empty() && sent.conv.starts_with("d:")) labels_[sent.conv] = "@" + sent.to;
  }
  e.epoch = a.epoch;
  e.ts = a.ts;
  e.sent = std::move(a.sent);
  e.errors = std::move(a.errors);
  e.duplicate = a.duplicate;
  events_.emplace_back(std::move(e));
}

void ClientSession::on_v2_error(v2::Error& e) {
  std::optional<RequestKind> kind;
  if (e.rid) {
    contexts_.erase(*e.rid);
    if (auto it = pending_.find(*e.rid); it != pending_.end()) {
      kind = it->second;
      pending_.erase(it);
    }
  }
  if (kind == RequestKind::Register) {  // the dialogue ends: no login follows
    held_login_.reset();
    events_.emplace_back(LoginRejected{std::move(e.text), std::move(e.code)});
    return;
  }
  if (kind == RequestKind::Login) {
    if (e.code == v2::code::kTooManyAttempts) {
      apply(ConnEvent::Disconnect);
      events_.emplace_back(LoginRejected{std::move(e.text), std::move(e.code)});
    } else {
      events_.emplace_back(LoginRetry{std::move(e.text), std::move(e.code)});
    }
    return;
  }
  // A read cursor is the client's bookkeeping (and a server before issue 13 refuses it): the
  // next read carries a later id anyway, so a refusal is not the user's concern.
  if (kind == RequestKind::Read) return;
  RequestError out{e.rid, std::move(e.code), std::move(e.text), std::move(e.errors), {}};
  if (auto it = e.rid ? pending_sends_.find(*e.rid) : pending_sends_.end();
      it != pending_sends_.end()) {
    out.send = std::move(it->second);
    pending_sends_.erase(it);
  }
  events_.emplace_back(std::move(out));
}

void ClientSession::on_bye(const v2::Bye& b) {
  pending_.erase(b.rid);
  apply(ConnEvent::Disconnect);
  events_.emplace_back(LoggedOut{"Logout successful"});
}

}  // namespace qc::client
