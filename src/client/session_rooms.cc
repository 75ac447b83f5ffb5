// ClientSession in protocol v2: rooms, history, the login's catch-up and read cursors (issue 13).
// Each request remembers what it was about (RequestContext) so that its answer's event can say.
#include "client/command_text.h"
#include "client/session.h"

namespace qc::client {

namespace v2 = proto::v2;
using text::ascii_lowered;
using text::same_ignoring_case;

namespace {

MessageKind kind_of(const v2::Msg& m) {
  if (m.conv == v2::kBroadcastConv) return MessageKind::Broadcast;
  if (m.conv.starts_with('#')) return MessageKind::Room;
  return m.to.size() > 1 ? MessageKind::OneToMany : MessageKind::OneToOne;
}

}  // namespace

// --- requests ----------------------------------------------------------------------------------

Result<void> ClientSession::request(const v2::Frame& frame, v2::RequestId rid,
                                    RequestContext context) {
  pending_[rid] = context.kind;
  contexts_[rid] = std::move(context);
  queue_v2(frame);
  return {};
}

Result<void> ClientSession::send_to_room(std::string_view room, std::string_view text) {
  if (version_ != v2::kVersion) return fail("v1_no_rooms", "rooms need protocol v2");
  if (auto ok = require_logged_in("send"); !ok) return ok;
  OutgoingSend send;
  send.conv = ascii_lowered(room);
  send.text = std::string(text);
  return send_v2(std::move(send));
}

Result<void> ClientSession::join(std::string_view room) {
  if (auto ok = require_logged_in("join a room"); !ok) return ok;
  const auto rid = next_rid();
  return request(v2::Join{rid, std::string(room)}, rid,
                 {RequestKind::Join, std::string(room), {}, {}, 0});
}

Result<void> ClientSession::leave(std::string_view room) {
  if (auto ok = require_logged_in("leave a room"); !ok) return ok;
  const auto rid = next_rid();
  return request(v2::Leave{rid, std::string(room)}, rid,
                 {RequestKind::Leave, std::string(room), {}, {}, 0});
}

Result<void> ClientSession::list_rooms(std::string_view topic_of) {
  if (auto ok = require_logged_in("list rooms"); !ok) return ok;
  const auto rid = next_rid();
  return request(v2::ListRooms{rid}, rid, {RequestKind::Rooms, std::string(topic_of), {}, {}, 0});
}

Result<void> ClientSession::set_topic(std::string_view room, std::string_view topic) {
  if (auto ok = require_logged_in("set a topic"); !ok) return ok;
  const auto rid = next_rid();
  return request(v2::SetTopic{rid, std::string(room), std::string(topic)}, rid,
                 {RequestKind::Topic, std::string(room), {}, {}, 0, std::string(topic)});
}

Result<void> ClientSession::list_members(std::string_view room) {
  if (auto ok = require_logged_in("list members"); !ok) return ok;
  const auto rid = next_rid();
  return request(v2::ListMembers{rid, std::string(room)}, rid,
                 {RequestKind::Members, std::string(room), {}, {}, 0});
}

Result<void> ClientSession::remove_member(std::string_view room, std::string_view user) {
  if (auto ok = require_logged_in("remove a member"); !ok) return ok;
  const auto rid = next_rid();
  return request(v2::RemoveMember{rid, std::string(room), std::string(user)}, rid,
                 {RequestKind::Remove, std::string(room), std::string(user), {}, 0});
}

Result<void> ClientSession::history(std::string_view conv, std::string_view with,
                                    std::uint32_t limit, std::optional<std::uint64_t> before) {
  if (auto ok = require_logged_in("ask for history"); !ok) return ok;
  const auto rid = next_rid();
  v2::History h{rid, ascii_lowered(conv), std::string(with), before, std::nullopt, limit};
  return request(h, rid, {RequestKind::History, {}, std::string(with), h.conv, 0});
}

Result<void> ClientSession::catch_up_after(std::string_view conv, std::uint64_t after) {
  if (auto ok = require_logged_in("ask for history"); !ok) return ok;
  const auto rid = next_rid();
  v2::History h{rid, std::string(conv), {}, std::nullopt, after, 0};
  return request(h, rid, {RequestKind::History, {}, {}, h.conv, after, {}, true});
}

Result<void> ClientSession::mark_read(std::string_view conv, std::uint64_t id) {
  if (auto ok = require_logged_in("mark as read"); !ok) return ok;
  const auto rid = next_rid();
  return request(v2::Read{rid, std::string(conv), id}, rid,
                 {RequestKind::Read, {}, {}, std::string(conv), id});
}

// --- answers and server events -----------------------------------------------------------------

std::optional<ClientSession::RequestContext> ClientSession::take_context(
    std::optional<v2::RequestId> rid) {
  if (!rid) return std::nullopt;
  pending_.erase(*rid);
  auto it = contexts_.find(*rid);
  if (it == contexts_.end()) return std::nullopt;
  RequestContext context = std::move(it->second);
  contexts_.erase(it);
  return context;
}

Message ClientSession::message_from(v2::Msg& m) {
  Message e;
  e.kind = kind_of(m);
  e.own = same_ignoring_case(m.from, my_name_);
  e.sender_name = std::move(m.from);
  e.text = std::move(m.text);
  e.conv = std::move(m.conv);
  e.id = m.id;
  e.epoch = m.epoch;
  e.ts = m.ts;
  e.to = std::move(m.to);
  e.cid = std::move(m.cid);
  learn_label(e);
  return e;
}

void ClientSession::learn_label(const Message& m) {
  if (!m.conv.starts_with("d:")) return;
  if (!m.own) {
    labels_[m.conv] = "@" + m.sender_name;
  } else if (m.to.size() == 1) {
    labels_[m.conv] = "@" + m.to[0];
  }
}

std::string ClientSession::label_of(const std::string& conv) const {
  auto it = labels_.find(conv);
  return it == labels_.end() ? conv : it->second;
}

void ClientSession::on_room(v2::Room& f) {
  // The join's context stays: the page of the room's latest messages comes next with its rid.
  pending_.erase(f.rid);
  events_.emplace_back(RoomJoined{f.rid, std::move(f.info), std::move(f.conv), f.created});
}

void ClientSession::on_room_list(v2::RoomList& f) {
  auto context = take_context(f.rid);
  events_.emplace_back(
      RoomsListed{f.rid, std::move(f.rooms), context ? std::move(context->room) : std::string{}});
}

void ClientSession::on_member_list(v2::MemberList& f) {
  take_context(f.rid);
  events_.emplace_back(MembersListed{f.rid, std::move(f.room), std::move(f.op),
                                     std::move(f.members), std::move(f.online)});
}

void ClientSession::on_room_event(v2::RoomEvent& f) {
  events_.emplace_back(RoomChanged{std::move(f.room), std::move(f.event), std::move(f.user),
                                   std::move(f.by), std::move(f.topic)});
}

void ClientSession::on_page(v2::Page& f) {
  auto context = take_context(f.rid);
  HistoryPage page;
  page.rid = f.rid;
  if (context && context->catch_up) {
    page.origin = PageOrigin::CatchUp;
  } else if (context) {
    page.origin = context->kind == RequestKind::Join ? PageOrigin::Join : PageOrigin::History;
  } else if (f.rid) {
    page.origin = PageOrigin::History;  // an answer we no longer know: never shown as new
  }
  page.conv = std::move(f.conv);
  for (v2::Msg& m : f.msgs) page.msgs.push_back(message_from(m));
  if (context && !context->user.empty()) labels_.try_emplace(page.conv, "@" + context->user);
  page.label = label_of(page.conv);
  page.more = f.more;
  page.expired = f.expired;
  page.unread = f.unread;
  page.read = f.read;
  events_.emplace_back(std::move(page));
}

void ClientSession::on_synced(v2::Synced& f) {
  pending_.erase(f.rid);
  CatchUpDone done;
  for (const v2::Since& u : f.unread) done.unread.push_back({u.conv, label_of(u.conv), u.id});
  events_.emplace_back(std::move(done));
}

void ClientSession::on_cursor(v2::Cursor& f) {
  events_.emplace_back(CursorMoved{std::move(f.conv), f.id});
}

void ClientSession::on_ok(const v2::Ok& f) {
  auto context = take_context(f.rid);
  if (!context) return;
  RequestDone done;
  done.rid = f.rid;
  done.room = std::move(context->room);
  done.user = std::move(context->user);
  done.conv = std::move(context->conv);
  done.id = context->id;
  done.topic = std::move(context->topic);
  switch (context->kind) {
    case RequestKind::Leave:
      done.what = Done::Left;
      break;
    case RequestKind::Topic:
      done.what = Done::TopicSet;
      break;
    case RequestKind::Remove:
      done.what = Done::Removed;
      break;
    case RequestKind::Passwd:
      done.what = Done::PasswordChanged;
      break;
    case RequestKind::Register:
      done.what = Done::Registered;
      events_.emplace_back(std::move(done));
      return release_held_login();  // the login now finds the account
    default:
      done.what = Done::Read;
      break;
  }
  events_.emplace_back(std::move(done));
}

}  // namespace qc::client
