// The v2 message pipeline: limits, the client id window, the messages of a send (one per
// conversation), deliveries to every session of each recipient (v2 frames to v2 sessions, v1
// PDUs to v1 ones), copies to the sender's other devices, and one answer naming the request: ack,
// or error when nothing was sent. Without store_messages the ids come from the sequencer and all
// of it happens at once; with it, v2_durable.cc stores the messages first.
// Also the other way round: what a v1 sender's message looks like to v2 sessions.
#include <algorithm>
#include <functional>
#include <unordered_set>

#include "chat/core_impl.h"
#include "chat/login_flow.h"
#include "proto/v2/codec.h"

namespace qc::chat {
namespace {

namespace v2 = proto::v2;
constexpr std::size_t kMaxCidBytes = 64;

std::uint64_t dedupe_key(const Session& s) { return dedupe_key_of(s.account_id, s.username); }

SharedBytes frame_bytes(const v2::Frame& frame) {
  return make_shared_bytes(v2::encode_frame(frame));
}

bool contains(const std::vector<ConnHandle>& conns, ConnHandle c) {
  return std::find(conns.begin(), conns.end(), c) != conns.end();
}

}  // namespace

// By the accounts' ids, which never change. Without ids (a core driven without an account store)
// by their name keys.
std::string conv_of(const AccountRef& a, const AccountRef& b) {
  if (a.id != 0 && b.id != 0) return direct_conv(a.id, b.id);
  std::string x = name_key(a.name);
  std::string y = name_key(b.name);
  if (y < x) std::swap(x, y);
  return "d:" + x + ":" + y;
}

std::uint64_t dedupe_key_of(std::uint64_t account_id, std::string_view name) {
  return account_id != 0 ? account_id : std::hash<std::string>{}(name_key(name));
}

std::string in_flight_key(std::uint64_t dedupe, std::string_view cid) {
  return std::to_string(dedupe) + "/" + std::string(cid);
}

bool Core::Impl::send_limits_ok(Session& s, const v2::Send& send) {
  auto refuse = [&](std::string_view code, std::string text) {
    send_error_v2(s, send.rid, code, std::move(text));
    return false;
  };
  if (send.to.empty() == send.conv.empty())
    return refuse(v2::code::kBadFrame, "give either 'to' (names) or 'conv'");
  if (send.cid.size() > kMaxCidBytes)
    return refuse(v2::code::kBadFrame, "member 'cid' is longer than 64 bytes");
  if (send.text.empty()) return refuse(v2::code::kEmptyText, "the message text is empty");
  if (send.text.size() > config.max_text_bytes)
    return refuse(v2::code::kTextTooLong,
                  "message too long: limit is " + std::to_string(config.max_text_bytes) + " bytes");
  if (send.to.size() > config.max_targets)
    return refuse(v2::code::kTooManyTargets,
                  "too many targets: limit is " + std::to_string(config.max_targets));
  if (send.conv.empty() || send.conv == v2::kBroadcastConv) return true;
  if (send.conv.front() != '#')
    return refuse(v2::code::kNoSuchConv, "no conversation '" + send.conv + "'");
  const std::optional<std::string> key = room_key(send.conv);
  const Room* room = key ? rooms.find(*key) : nullptr;
  if (room == nullptr) return refuse(v2::code::kNoSuchRoom, "no room '" + send.conv + "'");
  if (!room->has(s.account_id))
    return refuse(v2::code::kNotMember, "you are not a member of " + room->name);
  return true;
}

// A cid this account used within the window is answered at once with the original ack; one whose
// send is still being stored waits for that commit.
bool Core::Impl::answered_as_duplicate(Session& s, const v2::Send& send, TimePoint now) {
  if (send.cid.empty()) return false;
  if (const v2::Ack* earlier = recent_sends.find(dedupe_key(s), send.cid, now)) {
    v2::Ack again = *earlier;
    again.rid = send.rid;
    again.duplicate = true;
    ++counters.duplicate_sends;
    send_frame(s, again);
    return true;
  }
  auto waiting = sends_in_flight.find(in_flight_key(dedupe_key(s), send.cid));
  if (waiting == sends_in_flight.end()) return false;
  ++counters.duplicate_sends;
  waiting->second.emplace_back(ref_of(s), send.rid);
  return true;
}

void Core::Impl::on_send_v2(Session& s, v2::Send send, TimePoint now) {
  if (!send_limits_ok(s, send)) return;
  if (answered_as_duplicate(s, send, now)) return;
  PlannedSend plan = plan_send(s, send, now);
  plan.text = std::move(send.text);
  if (plan.parts.empty()) return finish_send(&s, dedupe_key(s), std::move(plan.ack));
  if (config.store_messages) return store_send(s, std::move(plan));
  const Sender from = sender_of(s);
  for (const SendPart& part : plan.parts) {
    const std::uint64_t id = sequencer->next(part.conv);
    plan.ack.sent.push_back(v2::Sent{part.target.name, part.conv, id,
                                     part.kind == SendPart::Kind::Direct && !part.target_online});
    v2::Msg msg{part.conv, id, plan.ack.epoch, plan.ack.ts, s.username, {}, plan.text, {}};
    deliver_part(from, part, std::move(msg), plan.ack.cid, true, &plan.ack);
  }
  finish_send(&s, dedupe_key(s), std::move(plan.ack));
}

// The ack, or an error naming the request when nothing was sent. An accepted send's cid is
// remembered also when the sender has gone (its retry after a reconnect is a duplicate).
void Core::Impl::finish_send(Session* s, std::uint64_t dedupe, v2::Ack ack) {
  if (ack.sent.empty()) {
    if (s == nullptr || ack.errors.empty()) return;
    const v2::TargetError first = ack.errors.front();
    return send_error_v2(*s, ack.rid, first.code, "no message was sent: " + first.text,
                         std::move(ack.errors));
  }
  recent_sends.remember(dedupe, ack, input_time);
  if (s != nullptr) send_frame(*s, ack);
}

Sender Core::Impl::sender_of(const Session& s) const {
  return Sender{ref_of(s), s.account_id, s.username, s.phase.user_id()};
}

const Member* Core::Impl::member_of(const Sender& from) const {
  const Member* m = presence.find_account(from.account_id);
  return m != nullptr ? m : presence.find_name(from.name);
}

// The messages of a send, one per conversation; names with no account are refused in the ack.
PlannedSend Core::Impl::plan_send(Session& s, const v2::Send& send, TimePoint now) {
  PlannedSend plan;
  plan.ack.rid = send.rid;
  plan.ack.cid = send.cid;
  plan.ack.epoch = sequencer->epoch();
  plan.ack.ts = wall_ms(now);
  if (!send.conv.empty()) {
    const bool all = send.conv == v2::kBroadcastConv;
    SendPart part;
    part.kind = all ? SendPart::Kind::Broadcast : SendPart::Kind::Room;
    part.conv = all ? send.conv : *room_key(send.conv);
    plan.parts.push_back(std::move(part));
    return plan;
  }
  const AccountRef self{s.account_id, s.username};
  const proto::MsgType v1_type =
      send.to.size() > 1 ? proto::MsgType::OneToMany : proto::MsgType::OneToOne;
  std::unordered_set<std::string> seen;
  for (const std::string& name : send.to) {
    if (!seen.insert(name_key(name)).second) continue;
    const AccountLookup found = target_account(name);
    if (found.unavailable) {
      plan.ack.errors.push_back({name, std::string(v2::code::kStoreFailed),
                                 "the account store did not answer; try again"});
      continue;
    }
    if (!found.account) {
      plan.ack.errors.push_back(
          {name, std::string(v2::code::kNoSuchUser), "no account named '" + name + "'"});
      continue;
    }
    const AccountRef& target = *found.account;
    SendPart part{SendPart::Kind::Direct, conv_of(self, target), target,
                  online_in_cluster(target.id, target.name), v1_type};
    plan.parts.push_back(std::move(part));
  }
  return plan;
}

void Core::Impl::split_by_version(const std::vector<ConnHandle>& conns, ConnHandle except,
                                  std::vector<ConnHandle>& v1, std::vector<ConnHandle>& v2) const {
  for (ConnHandle conn : conns) {
    if (conn == except) continue;
    auto it = sessions.find(conn);
    if (it == sessions.end() || it->second->phase.is(Phase::Closing)) continue;
    (it->second->version == 2 ? v2 : v1).push_back(conn);
  }
}

// With stored messages, a session whose catch-up (or room page) read is in flight gets the
// message in that read, not live.
void Core::Impl::drop_held_back(std::vector<ConnHandle>& v2, std::string_view conv) const {
  if (sessions_holding_back == 0) return;
  std::erase_if(v2, [&](ConnHandle c) {
    auto it = sessions.find(c);
    return it != sessions.end() && it->second->holds_back(conv);
  });
}

// A v1 recipient gets the v1 delivery PDU (sender by v1 id); one whose client reads only short
// PDUs (echo-protocol) and cannot take it is named in a too_long_for_client error.
void Core::Impl::deliver_v1_copy(const Sender& sender, proto::MsgType type, const std::string& text,
                                 std::vector<ConnHandle> v1, std::vector<v2::TargetError>& errors,
                                 std::string_view to_name) {
  if (v1.empty()) return;
  const Member* now_online = member_of(sender);
  const std::uint64_t v1_id = now_online != nullptr ? now_online->user_id : sender.v1_id;
  SharedBytes bytes = encode_pdu(type, proto::encode_delivery({v1_id, sender.name, text}));
  const std::vector<ConnHandle> too_long = leave_out_too_long(v1, bytes->size());
  deliver(std::move(bytes), std::move(v1));
  if (!too_long.empty())
    errors.push_back(
        {std::string(to_name), std::string(v2::code::kTooLongForClient), too_long_error(too_long)});
}

// The sessions of a room's members but `except`; those of `own_account` go to `own` (they get
// the copy with the cid). v1 sessions have no rooms.
std::vector<ConnHandle> Core::Impl::room_sessions(const Room& room, ConnHandle except,
                                                  std::uint64_t own_account,
                                                  std::vector<ConnHandle>& own) const {
  std::vector<ConnHandle> v1_ignored, v2_to;
  for (const auto& [account, name] : room.members) {
    const Member* m = presence.find_account(account);
    if (m == nullptr) continue;
    split_by_version(m->conns, except, v1_ignored, account == own_account ? own : v2_to);
  }
  return v2_to;
}

// Another node's message (no session here sent it): not to v1 sessions that logged in after it
// was sent. The two times come from two nodes' clocks (each mapped to wall time on its own, to the
// millisecond): a login less than kClockSkewAllowanceMs after the message counts as before it,
// or a message sent right after a login elsewhere could be lost to a millisecond of skew.
void Core::Impl::drop_later_v1(std::vector<ConnHandle>& v1, std::int64_t sent_ms) const {
  constexpr std::int64_t kClockSkewAllowanceMs = 100;
  std::erase_if(v1, [&](ConnHandle c) {
    auto it = sessions.find(c);
    return it != sessions.end() && it->second->logged_in_ms > sent_ms + kClockSkewAllowanceMs;
  });
}

void Core::Impl::deliver_part(const Sender& from, const SendPart& part, v2::Msg msg,
                              std::string_view cid, bool v1_too, v2::Ack* ack) {
  std::vector<v2::TargetError> ignored;
  std::vector<v2::TargetError>& errors = ack != nullptr ? ack->errors : ignored;
  const ConnHandle except = from.session.conn;
  const Member* me = member_of(from);
  std::vector<ConnHandle> v1_to, v2_to, own_v1, own;
  std::string_view to_name;
  if (part.kind == SendPart::Kind::Direct) {
    const Member* online = part.target.id != 0 ? presence.find_account(part.target.id)
                                               : presence.find_name(part.target.name);
    msg.to = {part.target.name};
    to_name = part.target.name;
    if (online != nullptr) split_by_version(online->conns, except, v1_to, v2_to);
    if (me != nullptr && online != me) split_by_version(me->conns, except, own_v1, own);
  } else if (part.kind == SendPart::Kind::Broadcast) {
    const Routing everyone = route_everyone(presence);
    split_by_version(everyone.recipients, except, v1_to, v2_to);
    if (me != nullptr)
      std::erase_if(v2_to, [&](ConnHandle c) {
        const bool mine = contains(me->conns, c);
        if (mine) own.push_back(c);
        return mine;
      });
  } else if (const Room* room = rooms.find(part.conv)) {
    v2_to = room_sessions(*room, except, from.account_id, own);
  }
  drop_held_back(v2_to, part.conv);
  drop_held_back(own, part.conv);
  if (from.session.conn == 0) drop_later_v1(v1_to, msg.ts);
  if (!v2_to.empty()) deliver(frame_bytes(msg), std::move(v2_to));
  if (v1_too && part.kind == SendPart::Kind::Direct)
    deliver_v1_copy(from, part.v1_type, msg.text, std::move(v1_to), errors, to_name);
  msg.cid = std::string(cid);
  if (!own.empty()) deliver(frame_bytes(msg), std::move(own));
  if (v1_too && part.kind == SendPart::Kind::Broadcast)
    deliver_v1_copy(from, proto::MsgType::Broadcast, msg.text, std::move(v1_to), errors, {});
}

// A v1 sender's message as v2 sees it: one message in "all", or one per recipient account's
// direct conversation (both pipelines use it; v1 sessions had it at once).
PlannedSend Core::Impl::plan_v1_message(const Session& s, proto::MsgType type,
                                        const Routing& routing, const std::string& text,
                                        TimePoint now) const {
  PlannedSend plan;
  plan.text = text;
  plan.ack.epoch = sequencer->epoch();
  plan.ack.ts = wall_ms(now);
  if (type == proto::MsgType::Broadcast) {
    plan.parts.push_back(
        SendPart{SendPart::Kind::Broadcast, std::string(v2::kBroadcastConv), {}, false, type});
    return plan;
  }
  const AccountRef self{s.account_id, s.username};
  for (const Member* m : routing.accounts) {
    const AccountRef target{m->account_id, m->username};
    plan.parts.push_back(
        SendPart{SendPart::Kind::Direct, conv_of(self, target), target, true, type});
  }
  return plan;
}

// Without the store: the v2 sessions among a v1 message's recipients get it at once, with ids
// from the sequencer.
void Core::Impl::v2_copies_of_v1_message(Session& s, proto::MsgType type, const Routing& routing,
                                         const std::string& text, TimePoint now) {
  const PlannedSend plan = plan_v1_message(s, type, routing, text, now);
  const Sender from = sender_of(s);
  for (const SendPart& part : plan.parts) {
    v2::Msg msg{part.conv,      sequencer->next(part.conv),
                plan.ack.epoch, plan.ack.ts,
                s.username,     {},
                plan.text,      {}};
    deliver_part(from, part, std::move(msg), {}, false, nullptr);
  }
}

}  // namespace qc::chat
