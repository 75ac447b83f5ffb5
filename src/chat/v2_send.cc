// The v2 message pipeline: limits, the client id window, one id per conversation, deliveries to
// every session of each recipient (v2 frames to v2 sessions, v1 PDUs to v1 ones), copies to the
// sender's other devices, and one answer naming the request: ack, or error when nothing was sent.
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

std::uint64_t dedupe_key(const Session& s) {
  return s.account_id != 0 ? s.account_id : std::hash<std::string>{}(name_key(s.username));
}

// The direct conversation of two accounts: by their ids, which never change. Without ids (a core
// driven without an account store) by their name keys.
std::string conv_between(const AccountRef& a, const AccountRef& b) {
  if (a.id != 0 && b.id != 0) return direct_conv(a.id, b.id);
  std::string x = name_key(a.name);
  std::string y = name_key(b.name);
  if (y < x) std::swap(x, y);
  return "d:" + x + ":" + y;
}

SharedBytes frame_bytes(const v2::Frame& frame) {
  return make_shared_bytes(v2::encode_frame(frame));
}

}  // namespace

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
  if (!send.conv.empty() && send.conv != v2::kBroadcastConv)
    return refuse(v2::code::kNoSuchConv, "no conversation '" + send.conv + "'");
  return true;
}

void Core::Impl::on_send_v2(Session& s, v2::Send send, TimePoint now) {
  if (!send_limits_ok(s, send)) return;
  if (!send.cid.empty()) {
    if (const v2::Ack* earlier = recent_sends.find(dedupe_key(s), send.cid, now)) {
      v2::Ack again = *earlier;
      again.rid = send.rid;
      again.duplicate = true;
      ++counters.duplicate_sends;
      return send_frame(s, again);
    }
  }
  v2::Ack ack;
  ack.rid = send.rid;
  ack.cid = send.cid;
  ack.epoch = sequencer->epoch();
  ack.ts = wall_ms(now);
  if (send.conv.empty())
    send_direct_v2(s, send, ack, now);
  else
    send_broadcast_v2(s, send, ack, now);
  if (ack.sent.empty()) {
    const v2::TargetError first = ack.errors.front();
    return send_error_v2(s, send.rid, first.code, "no message was sent: " + first.text,
                         std::move(ack.errors));
  }
  recent_sends.remember(dedupe_key(s), ack, now);
  send_frame(s, ack);
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

// A v1 recipient gets the v1 delivery PDU (sender by v1 id); one whose client reads only short
// PDUs (echo-protocol) and cannot take it is named in a too_long_for_client error.
void Core::Impl::deliver_v1_copy(Session& sender, proto::MsgType type, const std::string& text,
                                 std::vector<ConnHandle> v1, std::vector<v2::TargetError>& errors,
                                 std::string_view to_name) {
  if (v1.empty()) return;
  SharedBytes bytes =
      encode_pdu(type, proto::encode_delivery({sender.phase.user_id(), sender.username, text}));
  const std::vector<ConnHandle> too_long = leave_out_too_long(v1, bytes->size());
  deliver(std::move(bytes), std::move(v1));
  if (!too_long.empty())
    errors.push_back(
        {std::string(to_name), std::string(v2::code::kTooLongForClient), too_long_error(too_long)});
}

void Core::Impl::send_direct_v2(Session& s, v2::Send& send, v2::Ack& ack, TimePoint now) {
  const Member* me = presence.find(s.phase.user_id());
  const AccountRef self{s.account_id, s.username};
  const proto::MsgType v1_type =
      send.to.size() > 1 ? proto::MsgType::OneToMany : proto::MsgType::OneToOne;
  std::unordered_set<std::string> seen;
  for (const std::string& name : send.to) {
    if (!seen.insert(name_key(name)).second) continue;
    const Member* online = presence.find_name(name);
    std::optional<AccountRef> target;
    if (online != nullptr)
      target = AccountRef{online->account_id, online->username};
    else if (valid_username(name) && config.directory)
      target = config.directory->find(name);
    if (!target) {
      ack.errors.push_back(
          {name, std::string(v2::code::kNoSuchUser), "no account named '" + name + "'"});
      continue;
    }
    const std::string conv = conv_between(self, *target);
    const std::uint64_t id = sequencer->next(conv);
    ack.sent.push_back(v2::Sent{target->name, conv, id, online == nullptr});
    v2::Msg msg{conv, id, ack.epoch, ack.ts, s.username, {target->name}, send.text, {}};
    std::vector<ConnHandle> v1_to, v2_to;
    if (online != nullptr) split_by_version(online->conns, s.conn, v1_to, v2_to);
    if (!v2_to.empty()) deliver(frame_bytes(msg), std::move(v2_to));
    deliver_v1_copy(s, v1_type, send.text, std::move(v1_to), ack.errors, target->name);
    if (me == nullptr || online == me) continue;  // to oneself: the devices got it above
    std::vector<ConnHandle> own_v1, own_v2;
    split_by_version(me->conns, s.conn, own_v1, own_v2);
    msg.cid = send.cid;
    if (!own_v2.empty()) deliver(frame_bytes(msg), std::move(own_v2));
  }
  (void)now;
}

// One id in "all", one encoding for everyone else and one (with the cid) for the sender's other
// devices; v1 sessions get the v1 BROADCAST.
void Core::Impl::send_broadcast_v2(Session& s, const v2::Send& send, v2::Ack& ack,
                                   TimePoint /*now*/) {
  const std::string conv(v2::kBroadcastConv);
  const std::uint64_t id = sequencer->next(conv);
  ack.sent.push_back(v2::Sent{{}, conv, id, false});
  const Routing everyone = route_everyone(presence);
  std::vector<ConnHandle> v1_to, v2_to;
  split_by_version(everyone.recipients, s.conn, v1_to, v2_to);
  std::vector<ConnHandle> own;
  if (const Member* me = presence.find(s.phase.user_id())) {
    std::erase_if(v2_to, [&](ConnHandle c) {
      const bool mine = std::find(me->conns.begin(), me->conns.end(), c) != me->conns.end();
      if (mine) own.push_back(c);
      return mine;
    });
  }
  v2::Msg msg{conv, id, ack.epoch, ack.ts, s.username, {}, send.text, {}};
  if (!v2_to.empty()) deliver(frame_bytes(msg), std::move(v2_to));
  msg.cid = send.cid;
  if (!own.empty()) deliver(frame_bytes(msg), std::move(own));
  deliver_v1_copy(s, proto::MsgType::Broadcast, send.text, std::move(v1_to), ack.errors, {});
}

// A v1 sender's message reaches v2 sessions as a v2 message with an id in its conversation.
void Core::Impl::v2_copies_of_v1_message(Session& s, proto::MsgType type, const Routing& routing,
                                         std::vector<ConnHandle> v2_to, const std::string& text,
                                         TimePoint now) {
  const std::uint64_t epoch = sequencer->epoch();
  const std::int64_t ts = wall_ms(now);
  if (type == proto::MsgType::Broadcast) {
    const std::string conv(v2::kBroadcastConv);
    v2::Msg msg{conv, sequencer->next(conv), epoch, ts, s.username, {}, text, {}};
    deliver(frame_bytes(msg), std::move(v2_to));
    return;
  }
  const AccountRef self{s.account_id, s.username};
  for (const Member* m : routing.accounts) {
    std::vector<ConnHandle> v1_sessions, v2_sessions;
    split_by_version(m->conns, 0, v1_sessions, v2_sessions);
    if (v2_sessions.empty()) continue;
    const std::string conv = conv_between(self, AccountRef{m->account_id, m->username});
    v2::Msg msg{conv, sequencer->next(conv), epoch, ts, s.username, {m->username}, text, {}};
    deliver(frame_bytes(msg), std::move(v2_sessions));
  }
}

}  // namespace qc::chat
