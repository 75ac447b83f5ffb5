// v2 encoding: one compact JSON object per frame, members in docs/PROTOCOL.md's order.
#include "proto/v2/codec.h"

#include <initializer_list>
#include <utility>

#include "proto/v2/json_compact.h"

namespace qc::proto::v2 {
namespace {

using detail::CompactObject;

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// Frames with a request id and nothing else.
void encode_rid_only(std::string& out, std::string_view type, RequestId rid) {
  CompactObject(out, type).unsigned_integer("rid", rid).close();
}

void encode_target_error(std::string& out, const TargetError& e) {
  CompactObject(out).string("to", e.to).string("code", e.code).string("text", e.text).close();
}

void encode_sent(std::string& out, const Sent& s) {
  CompactObject(out)
      .string_if_set("to", s.to)
      .string("conv", s.conv)
      .unsigned_integer("id", s.id)
      .true_if_set("offline", s.offline)
      .close();
}

void encode_errors_if_set(CompactObject& object, const std::vector<TargetError>& errors) {
  if (!errors.empty()) object.array("errors", errors, encode_target_error);
}

void encode(std::string& out, const Login& f) {
  CompactObject(out, "login")
      .unsigned_integer("rid", f.rid)
      .string("user", f.user)
      .string("password", f.password)
      .string_if_set("device", f.device)
      .conv_ids_if_set("since", f.since)
      .unsigned_if_set("epoch", f.epoch)
      .close();
}

void encode(std::string& out, const Send& f) {
  CompactObject(out, "send")
      .unsigned_integer("rid", f.rid)
      .strings_if_set("to", f.to)
      .string_if_set("conv", f.conv)
      .string("text", f.text)
      .string_if_set("cid", f.cid)
      .close();
}

void encode(std::string& out, const Welcome& f) {
  CompactObject(out, "welcome")
      .unsigned_integer("rid", f.rid)
      .string("user", f.user)
      .unsigned_integer("account", f.account)
      .string("device", f.device)
      .integer("ts", f.ts)
      .close();
}

void encode(std::string& out, const Presence& f) {
  CompactObject object(out, "presence");
  if (f.snapshot) {
    object.true_if_set("snapshot", true).strings("online", f.online);
  } else {
    object.strings_if_set("joined", f.joined).strings_if_set("left", f.left);
  }
  object.close();
}

// The members of a msg after "t": the msg frame, and each message of a page.
void encode_msg_members(CompactObject& object, const Msg& f) {
  object.string("conv", f.conv)
      .unsigned_integer("id", f.id)
      .unsigned_integer("epoch", f.epoch)
      .integer("ts", f.ts)
      .string("from", f.from)
      .strings_if_set("to", f.to)
      .string("text", f.text)
      .string_if_set("cid", f.cid);
}

void encode(std::string& out, const Msg& f) {
  CompactObject object(out, "msg");
  encode_msg_members(object, f);
  object.close();
}

void encode(std::string& out, const Ack& f) {
  CompactObject object(out, "ack");
  object.unsigned_integer("rid", f.rid)
      .string_if_set("cid", f.cid)
      .unsigned_integer("epoch", f.epoch)
      .integer("ts", f.ts)
      .array("sent", f.sent, encode_sent);
  encode_errors_if_set(object, f.errors);
  object.true_if_set("duplicate", f.duplicate).close();
}

void encode(std::string& out, const Error& f) {
  CompactObject object(out, "error");
  if (f.rid) object.unsigned_integer("rid", *f.rid);
  object.string("code", f.code).string("text", f.text);
  encode_errors_if_set(object, f.errors);
  object.close();
}

// Requests of a rid and strings, in this order: topic, remove, passwd, register.
void encode_rid_and_strings(
    std::string& out, std::string_view type, RequestId rid,
    std::initializer_list<std::pair<std::string_view, std::string_view>> members) {
  CompactObject object(out, type);
  object.unsigned_integer("rid", rid);
  for (const auto& [key, value] : members) object.string(key, value);
  object.close();
}

// Requests naming a room: join, leave, members.
void encode_room_request(std::string& out, std::string_view type, RequestId rid,
                         std::string_view room) {
  CompactObject(out, type).unsigned_integer("rid", rid).string("room", room).close();
}

void encode(std::string& out, const History& f) {
  CompactObject object(out, "history");
  object.unsigned_integer("rid", f.rid).string_if_set("conv", f.conv).string_if_set("with", f.with);
  if (f.before) object.unsigned_integer("before", *f.before);
  if (f.after) object.unsigned_integer("after", *f.after);
  object.unsigned_if_set("limit", f.limit).close();
}

void encode(std::string& out, const Read& f) {
  CompactObject(out, "read")
      .unsigned_integer("rid", f.rid)
      .string("conv", f.conv)
      .unsigned_integer("id", f.id)
      .close();
}

// The members of a room after its name: in a room_list entry and in the answer to join.
void encode_room_info_tail(CompactObject& object, const RoomInfo& info) {
  object.string_if_set("topic", info.topic)
      .string_if_set("op", info.op)
      .unsigned_integer("members", info.members)
      .true_if_set("member", info.member);
}

void encode_room_info(std::string& out, const RoomInfo& info) {
  CompactObject object(out);
  object.string("room", info.room);
  encode_room_info_tail(object, info);
  object.close();
}

void encode(std::string& out, const Room& f) {
  CompactObject object(out, "room");
  object.unsigned_integer("rid", f.rid).string("room", f.info.room).string("conv", f.conv);
  encode_room_info_tail(object, f.info);
  object.true_if_set("created", f.created).close();
}

void encode(std::string& out, const RoomList& f) {
  CompactObject(out, "room_list")
      .unsigned_integer("rid", f.rid)
      .array("rooms", f.rooms, encode_room_info)
      .close();
}

void encode(std::string& out, const MemberList& f) {
  CompactObject(out, "member_list")
      .unsigned_integer("rid", f.rid)
      .string("room", f.room)
      .string_if_set("op", f.op)
      .strings("members", f.members)
      .strings_if_set("online", f.online)
      .close();
}

void encode(std::string& out, const RoomEvent& f) {
  CompactObject(out, "room_event")
      .string("room", f.room)
      .string("event", f.event)
      .string("user", f.user)
      .string_if_set("by", f.by)
      .string_if_set("topic", f.topic)
      .close();
}

void encode_page_msg(std::string& out, const Msg& m) {
  CompactObject object(out);
  encode_msg_members(object, m);
  object.close();
}

void encode(std::string& out, const Page& f) {
  CompactObject object(out, "page");
  if (f.rid) object.unsigned_integer("rid", *f.rid);
  object.string("conv", f.conv)
      .array("msgs", f.msgs, encode_page_msg)
      .true_if_set("more", f.more)
      .unsigned_if_set("expired", f.expired)
      .unsigned_if_set("unread", f.unread)
      .unsigned_if_set("read", f.read)
      .close();
}

void encode(std::string& out, const Synced& f) {
  CompactObject(out, "synced")
      .unsigned_integer("rid", f.rid)
      .conv_ids_if_set("unread", f.unread)
      .close();
}

void encode(std::string& out, const Cursor& f) {
  CompactObject(out, "cursor").string("conv", f.conv).unsigned_integer("id", f.id).close();
}

void encode(std::string& out, const Unknown& f) {
  CompactObject object(out, f.type);
  if (f.rid) object.unsigned_integer("rid", *f.rid);
  object.close();
}

void encode_any(std::string& out, const Frame& frame) {
  std::visit(
      Overloaded{
          [&](const Ping& f) { encode_rid_only(out, "ping", f.rid); },
          [&](const Logout& f) { encode_rid_only(out, "logout", f.rid); },
          [&](const Pong& f) { encode_rid_only(out, "pong", f.rid); },
          [&](const Bye& f) { encode_rid_only(out, "bye", f.rid); },
          [&](const ListRooms& f) { encode_rid_only(out, "rooms", f.rid); },
          [&](const Ok& f) { encode_rid_only(out, "ok", f.rid); },
          [&](const Join& f) { encode_room_request(out, "join", f.rid, f.room); },
          [&](const Leave& f) { encode_room_request(out, "leave", f.rid, f.room); },
          [&](const ListMembers& f) { encode_room_request(out, "members", f.rid, f.room); },
          [&](const SetTopic& f) {
            encode_rid_and_strings(out, "topic", f.rid, {{"room", f.room}, {"topic", f.topic}});
          },
          [&](const RemoveMember& f) {
            encode_rid_and_strings(out, "remove", f.rid, {{"room", f.room}, {"user", f.user}});
          },
          [&](const Passwd& f) {
            encode_rid_and_strings(out, "passwd", f.rid,
                                   {{"old", f.old_password}, {"new", f.new_password}});
          },
          [&](const Register& f) {
            encode_rid_and_strings(out, "register", f.rid,
                                   {{"user", f.user}, {"password", f.password}});
          },
          [&](const auto& f) { encode(out, f); },
      },
      frame);
}

void write_length(std::string& out, std::size_t prefix_at) {
  const auto length = static_cast<std::uint32_t>(out.size() - prefix_at - kLengthPrefixBytes);
  for (std::size_t i = 0; i < kLengthPrefixBytes; ++i)
    out[prefix_at + i] = static_cast<char>((length >> (8 * (kLengthPrefixBytes - 1 - i))) & 0xFF);
}

}  // namespace

std::string_view frame_type_name(const Frame& frame) {
  return std::visit(Overloaded{
                        [](const Login&) -> std::string_view { return "login"; },
                        [](const Send&) -> std::string_view { return "send"; },
                        [](const Ping&) -> std::string_view { return "ping"; },
                        [](const Logout&) -> std::string_view { return "logout"; },
                        [](const Welcome&) -> std::string_view { return "welcome"; },
                        [](const Presence&) -> std::string_view { return "presence"; },
                        [](const Msg&) -> std::string_view { return "msg"; },
                        [](const Ack&) -> std::string_view { return "ack"; },
                        [](const Pong&) -> std::string_view { return "pong"; },
                        [](const Bye&) -> std::string_view { return "bye"; },
                        [](const Error&) -> std::string_view { return "error"; },
                        [](const Join&) -> std::string_view { return "join"; },
                        [](const Leave&) -> std::string_view { return "leave"; },
                        [](const ListRooms&) -> std::string_view { return "rooms"; },
                        [](const SetTopic&) -> std::string_view { return "topic"; },
                        [](const ListMembers&) -> std::string_view { return "members"; },
                        [](const RemoveMember&) -> std::string_view { return "remove"; },
                        [](const History&) -> std::string_view { return "history"; },
                        [](const Read&) -> std::string_view { return "read"; },
                        [](const Room&) -> std::string_view { return "room"; },
                        [](const RoomList&) -> std::string_view { return "room_list"; },
                        [](const MemberList&) -> std::string_view { return "member_list"; },
                        [](const RoomEvent&) -> std::string_view { return "room_event"; },
                        [](const Page&) -> std::string_view { return "page"; },
                        [](const Synced&) -> std::string_view { return "synced"; },
                        [](const Cursor&) -> std::string_view { return "cursor"; },
                        [](const Ok&) -> std::string_view { return "ok"; },
                        [](const Passwd&) -> std::string_view { return "passwd"; },
                        [](const Register&) -> std::string_view { return "register"; },
                        [](const Unknown& f) -> std::string_view { return f.type; },
                    },
                    frame);
}

std::string encode_body(const Frame& frame) {
  std::string out;
  encode_any(out, frame);
  return out;
}

void append_frame(std::string& out, const Frame& frame) {
  const std::size_t prefix_at = out.size();
  out.append(kLengthPrefixBytes, '\0');
  encode_any(out, frame);
  write_length(out, prefix_at);
}

std::string encode_frame(const Frame& frame) {
  std::string out;
  append_frame(out, frame);
  return out;
}

void append_msg(std::string& out, std::string_view conv, std::uint64_t id, std::uint64_t epoch,
                std::int64_t ts, std::string_view from, std::string_view to, std::string_view text,
                std::string_view cid) {
  const std::size_t prefix_at = out.size();
  out.reserve(prefix_at + text.size() + conv.size() + from.size() + to.size() + cid.size() + 96);
  out.append(kLengthPrefixBytes, '\0');
  CompactObject object(out, "msg");
  object.string("conv", conv)
      .unsigned_integer("id", id)
      .unsigned_integer("epoch", epoch)
      .integer("ts", ts)
      .string("from", from);
  object.one_string_array_if_set("to", to).string("text", text).string_if_set("cid", cid).close();
  write_length(out, prefix_at);
}

}  // namespace qc::proto::v2
