// Protocol v2 in the core: the switch of framing after VERSIONS, the v2 inbound table's verdicts,
// login, ping, logout, and presence as coalesced events (docs/PROTOCOL.md, part II).
#include <algorithm>
#include <type_traits>

#include "chat/core_impl.h"
#include "chat/login_flow.h"
#include "proto/v2/codec.h"

namespace qc::chat {
namespace {

namespace v2 = proto::v2;

// 1-64 characters of [A-Za-z0-9_.:-]: a device id is a file name on the client and a log field.
bool valid_device(std::string_view device) {
  if (device.empty() || device.size() > 64) return false;
  return std::all_of(device.begin(), device.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
  });
}

struct KindOf {
  FrameKind operator()(const v2::Login&) const { return FrameKind::Login; }
  FrameKind operator()(const v2::Send&) const { return FrameKind::Send; }
  FrameKind operator()(const v2::Ping&) const { return FrameKind::Ping; }
  FrameKind operator()(const v2::Logout&) const { return FrameKind::Logout; }
  FrameKind operator()(const v2::Unknown&) const { return FrameKind::Unknown; }
  FrameKind operator()(const v2::Join&) const { return FrameKind::Join; }
  FrameKind operator()(const v2::Leave&) const { return FrameKind::Leave; }
  FrameKind operator()(const v2::ListRooms&) const { return FrameKind::Rooms; }
  FrameKind operator()(const v2::SetTopic&) const { return FrameKind::Topic; }
  FrameKind operator()(const v2::ListMembers&) const { return FrameKind::Members; }
  FrameKind operator()(const v2::RemoveMember&) const { return FrameKind::Remove; }
  FrameKind operator()(const v2::History&) const { return FrameKind::History; }
  FrameKind operator()(const v2::Read&) const { return FrameKind::Read; }
  FrameKind operator()(const v2::Passwd&) const { return FrameKind::Passwd; }
  FrameKind operator()(const v2::Register&) const { return FrameKind::Register; }
  template <class ServerOnly>
  FrameKind operator()(const ServerOnly&) const {
    return FrameKind::ServerFrame;
  }
};

// The request id of a frame the client sends (for the error that answers it). A server frame's
// rid answers a request of the other side: it names none of the client's.
struct RidOf {
  template <class F>
  std::optional<std::uint64_t> operator()(const F& f) const {
    if (KindOf{}(f) == FrameKind::ServerFrame) return std::nullopt;
    if constexpr (requires { f.rid; })
      return f.rid;
    else
      return std::nullopt;
  }
};

}  // namespace

// A v1 stream turns into a v2 one right after the VERSIONS PDU that selected 2, possibly inside
// this chunk: the rest of it goes to the v2 reader.
void Core::Impl::feed(Session& s, std::string_view bytes, TimePoint now) {
  if (s.version == 1) {
    const std::size_t used = s.framer.feed_until(bytes, [&](const proto::FrameEvent& event) {
      on_frame_event(s, event, now);
      return s.version == 1;
    });
    if (s.version == 1) return;
    bytes.remove_prefix(used);
  }
  s.v2_reader.feed(bytes, [&](const proto::FrameEvent& event) {
    on_frame_event_v2(s, event, now);
    return true;
  });
}

void Core::Impl::on_frame_event_v2(Session& s, const proto::FrameEvent& event, TimePoint now) {
  if (event.kind == proto::FrameEvent::Kind::Pdu) {
    s.heard_from = true;
    s.last_heard = now;
    if (!s.phase.is(Phase::Closing)) s.keepalive_at = now + config.keepalive_timeout;
    take_frame_v2(s, event.pdu, now);
    return;
  }
  const FrameKind kind =
      event.error == proto::FrameErrc::TooLarge ? FrameKind::TooLarge : FrameKind::Undecodable;
  const Verdict v = verdict_v2(s.phase.phase(), kind);
  if (v == Verdict::Queue) return queue(s, InboundItem{{}, event.error, event.detail});
  act_v2(s, v, nullptr, event.detail, now);
}

void Core::Impl::take_frame_v2(Session& s, std::string_view body, TimePoint now) {
  proto::Decoded<v2::Frame> frame = v2::decode_body(body, config.limits);
  FrameKind kind = FrameKind::Undecodable;
  if (frame)
    kind = std::visit(KindOf{}, *frame);
  else if (frame.error().code == proto::DecodeErrc::TooLarge)
    kind = FrameKind::TooLarge;
  const Verdict v = verdict_v2(s.phase.phase(), kind);
  if (v == Verdict::Queue) return queue(s, InboundItem{std::string(body), std::nullopt, {}});
  if (v == Verdict::Ignore) return;
  if (!frame) {  // the answer still names the request, when its rid can be read
    const std::optional<std::uint64_t> rid = v2::request_id_of(body, config.limits);
    const v2::Frame unknown = v2::Unknown{{}, rid};
    return act_v2(s, v, rid ? &unknown : nullptr, frame.error().detail, now);
  }
  std::string detail;
  if (kind == FrameKind::ServerFrame)
    detail = "a client does not send '" + std::string(v2::frame_type_name(*frame)) + "'";
  act_v2(s, v, &*frame, detail, now);
}

void Core::Impl::act_v2(Session& s, Verdict verdict, const v2::Frame* frame,
                        std::string_view detail, TimePoint now) {
  const std::optional<std::uint64_t> rid =
      frame != nullptr ? std::visit(RidOf{}, *frame) : std::nullopt;
  switch (verdict) {
    case Verdict::Route:
      return route_v2(s, *frame, now);
    case Verdict::NotAuthenticated:
      return send_error_v2(s, rid, v2::code::kNotLoggedIn, "log in first");
    case Verdict::AlreadyLoggedIn:
      return send_error_v2(s, rid, v2::code::kAlreadyLoggedIn, "this session is logged in");
    case Verdict::Malformed:
      if (flooding(s)) return;
      count_malformed(s, detail);
      return send_error_v2(s, rid, v2::code::kBadFrame, std::string(detail));
    case Verdict::TooLarge:
      if (flooding(s)) return;
      count_malformed(s, "frame too large");
      return send_error_v2(
          s, rid, v2::code::kTooLarge,
          "frame too large: limit is " + std::to_string(config.limits.max_bytes) + " bytes");
    case Verdict::RejectLogin:
      count_malformed(s, detail);
      send_error_v2(s, rid, v2::code::kBadFrame, std::string(detail));
      return close_session(s, proto::CloseCode::LoginFailed, "malformed data");
    case Verdict::UnknownType: {
      if (flooding(s)) return;
      const auto& unknown = std::get<v2::Unknown>(*frame);
      return send_error_v2(s, rid, v2::code::kUnknownType,
                           "unknown frame type '" + unknown.type + "'");
    }
    case Verdict::Queue:
    case Verdict::Ignore:
      return;
  }
}

void Core::Impl::route_v2(Session& s, const v2::Frame& frame, TimePoint now) {
  if (const auto* login = std::get_if<v2::Login>(&frame)) return on_login_v2(s, *login, now);
  if (const auto* request = std::get_if<v2::Register>(&frame))
    return on_register_v2(s, *request, now);
  if (const auto* send = std::get_if<v2::Send>(&frame)) {
    if (!within_message_rate(s, now, send->rid)) return;
    return on_send_v2(s, *send, now);
  }
  if (const auto* ping = std::get_if<v2::Ping>(&frame)) return send_frame(s, v2::Pong{ping->rid});
  if (const auto* logout = std::get_if<v2::Logout>(&frame)) return on_logout_v2(s, logout->rid);
  if (const auto* list = std::get_if<v2::ListRooms>(&frame)) return on_list_rooms(s, *list);
  if (const auto* members = std::get_if<v2::ListMembers>(&frame)) return on_members(s, *members);
  // The rest costs a store write or read (passwd: bcrypt twice): it spends the message budget.
  const std::optional<std::uint64_t> rid = std::visit(RidOf{}, frame);
  if (!within_message_rate(s, now, rid)) return;
  if (const auto* join = std::get_if<v2::Join>(&frame)) return on_join(s, *join);
  if (const auto* leave = std::get_if<v2::Leave>(&frame)) return on_leave(s, *leave);
  if (const auto* topic = std::get_if<v2::SetTopic>(&frame)) return on_topic(s, *topic);
  if (const auto* remove = std::get_if<v2::RemoveMember>(&frame)) return on_remove(s, *remove);
  if (const auto* history = std::get_if<v2::History>(&frame)) return on_history(s, *history);
  if (const auto* read = std::get_if<v2::Read>(&frame)) return on_read(s, *read);
  if (const auto* passwd = std::get_if<v2::Passwd>(&frame)) return on_passwd_v2(s, *passwd, now);
}

void Core::Impl::send_frame(Session& s, const v2::Frame& frame) {
  if (!s.phase.is(Phase::Closing)) out.send(s.conn, make_shared_bytes(v2::encode_frame(frame)));
}

void Core::Impl::send_error_v2(Session& s, std::optional<std::uint64_t> rid, std::string_view code,
                               std::string text, std::vector<v2::TargetError> errors) {
  send_frame(s, v2::Error{rid, std::string(code), std::move(text), std::move(errors)});
}

// --- login ---------------------------------------------------------------------------------

void Core::Impl::on_login_v2(Session& s, v2::Login login, TimePoint now) {
  if (!login.device.empty() && !valid_device(login.device)) {
    count_malformed(s, "invalid device id");
    return send_error_v2(s, login.rid, v2::code::kBadFrame,
                         "member 'device' must be 1-64 characters of A-Z a-z 0-9 _ . : -");
  }
  s.pending_rid = login.rid;
  // Ids of another epoch belong to another database: the read cursors say where to start.
  if (login.epoch == 0 || login.epoch == sequencer->epoch()) s.since = std::move(login.since);
  s.device = login.device.empty() ? "auto-" + std::to_string(s.serial) : std::move(login.device);
  begin_login(s, std::move(login.user), std::move(login.password), now);
}

void Core::Impl::send_welcome(Session& s) {
  send_frame(s,
             v2::Welcome{s.pending_rid, s.username, s.account_id, s.device, wall_ms(input_time)});
  if (s.phase.is(Phase::Closing)) return;
  out.send(s.conn, presence_snapshot());
  if (config.store_messages) return start_catch_up(s);
  send_frame(s, v2::Synced{s.pending_rid, {}});  // nothing stored: nothing to catch up
}

void Core::Impl::on_logout_v2(Session& s, std::uint64_t rid) {
  const Reply bye = make_shared_bytes(v2::encode_frame(v2::Bye{rid}));
  close_session(s, proto::CloseCode::NoError, "logout", &bye);
}

// --- presence ------------------------------------------------------------------------------

// With no v2 session to tell, the change only updates the flushed state (no deadline, no log).
void Core::Impl::schedule_presence_flush() {
  if (v2_authenticated == 0) {
    presence_feed.flush();
    presence_flush_at.reset();
    return;
  }
  if (presence_flush_at) return;
  // A flush costs a packet per v2 session (and reading its ACK), so with many sessions the
  // flushes space out: presence never takes more than a small share of the loop, however large
  // the server, and a login storm costs each session fewer frames.
  const Duration scaled = std::chrono::duration_cast<Duration>(
      config.presence_interval_per_session * static_cast<std::int64_t>(v2_authenticated));
  presence_flush_at = input_time + std::max(config.presence_interval, scaled);
}

// Every v2 session gets the same frame: the net changes since the last flush. A flush waits for
// the previous one to be written out, so that each session gets the frames in order.
void Core::Impl::flush_presence() {
  presence_flush_at.reset();
  if (presence_out.busy()) return;  // send_presence_slice schedules it again when done
  const v2::Presence changes = presence_feed.changes();
  presence_feed.flush();
  if (changes.joined.empty() && changes.left.empty()) return;
  std::vector<ConnHandle> recipients;
  recipients.reserve(v2_authenticated);
  for (const Member& m : presence.members()) {
    for (ConnHandle conn : m.conns) {
      const Session* r = find_session(conn);
      if (r != nullptr && r->version == 2 && !r->phase.is(Phase::Closing))
        recipients.push_back(conn);
    }
  }
  presence_out = PresenceOut{make_shared_bytes(v2::encode_frame(changes)), std::move(recipients)};
  send_presence_slice();
}

// The next presence_slice sessions of the flush; the rest presence_slice_gap later, slice by
// slice. Sessions that closed meanwhile are left out.
void Core::Impl::send_presence_slice() {
  presence_slice_at.reset();
  const std::size_t end = std::min(
      presence_out.next + std::max<std::size_t>(config.presence_slice, 1), presence_out.to.size());
  std::vector<ConnHandle> slice;
  for (std::size_t i = presence_out.next; i < end; ++i) {
    const Session* r = find_session(presence_out.to[i]);
    if (r != nullptr && !r->phase.is(Phase::Closing)) slice.push_back(presence_out.to[i]);
  }
  presence_out.next = end;
  if (!slice.empty()) out.deliver(presence_out.frame, std::move(slice), false);
  if (presence_out.busy()) {
    presence_slice_at = input_time + config.presence_slice_gap;
    return;
  }
  presence_out = PresenceOut{};
  if (presence_feed.pending()) schedule_presence_flush();
}

// The state as of the last flush, encoded once for every login until the next flush.
SharedBytes Core::Impl::presence_snapshot() {
  if (!snapshot || snapshot_generation != presence_feed.generation()) {
    v2::Presence p;
    p.snapshot = true;
    p.online = presence_feed.flushed_online();
    snapshot = make_shared_bytes(v2::encode_frame(p));
    snapshot_generation = presence_feed.generation();
  }
  return snapshot;
}

std::int64_t Core::Impl::wall_ms(TimePoint now) const {
  return config.clock_origin_unix_ms +
         std::chrono::duration_cast<std::chrono::milliseconds>(now - config.clock_origin).count();
}

}  // namespace qc::chat
