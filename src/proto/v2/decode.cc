// v2 decoding: the strict JSON reader's DOM, then one list of member reads per frame type.
#include <array>
#include <initializer_list>
#include <utility>

#include "proto/json_fields.h"
#include "proto/v2/codec.h"
#include "proto/v2/member_reader.h"

namespace qc::proto::v2 {
namespace {

using detail::MemberReader;
using detail::Need;
using proto::detail::JsonValue;

template <class F>
Decoded<Frame> finish(const MemberReader& r, F&& frame) {
  if (r.failed()) return Unexpected<DecodeError>{r.error()};
  return Frame(std::forward<F>(frame));
}

void read_target_error(MemberReader& r, TargetError& e) {
  r.string("to", e.to, Need::Required);
  r.string("code", e.code, Need::Required);
  r.string("text", e.text, Need::Required);
}

void read_sent(MemberReader& r, Sent& s) {
  r.string("to", s.to, Need::Optional);
  r.string("conv", s.conv, Need::Required);
  r.unsigned_integer("id", s.id, Need::Required);
  r.flag("offline", s.offline);
}

Decoded<Frame> decode_login(MemberReader& r) {
  Login f;
  r.rid(f.rid, Need::Optional);
  r.string("user", f.user, Need::Required);
  r.string("password", f.password, Need::Required);
  r.string("device", f.device, Need::Optional);
  r.conv_ids("since", f.since, Need::Optional);
  r.unsigned_integer("epoch", f.epoch, Need::Optional);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_send(MemberReader& r) {
  Send f;
  r.rid(f.rid, Need::Optional);
  r.strings("to", f.to, Need::Optional);
  r.string("conv", f.conv, Need::Optional);
  r.string("text", f.text, Need::Required);
  r.string("cid", f.cid, Need::Optional);
  return finish(r, std::move(f));
}

// ping and logout (requests: rid optional), pong and bye (answers: rid required).
template <class F, Need kRidNeed>
Decoded<Frame> decode_rid_only(MemberReader& r) {
  F f;
  r.rid(f.rid, kRidNeed);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_welcome(MemberReader& r) {
  Welcome f;
  r.rid(f.rid, Need::Required);
  r.string("user", f.user, Need::Required);
  r.unsigned_integer("account", f.account, Need::Required);
  r.string("device", f.device, Need::Required);
  r.integer("ts", f.ts, Need::Required);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_presence(MemberReader& r) {
  Presence f;
  r.flag("snapshot", f.snapshot);
  if (f.snapshot) {  // a snapshot carries no changes: joined/left are ignored
    r.strings("online", f.online, Need::Required);
  } else {
    r.strings("joined", f.joined, Need::Optional);
    r.strings("left", f.left, Need::Optional);
  }
  return finish(r, std::move(f));
}

// A msg frame's members, and each message of a page (the same object without "t").
void read_msg(MemberReader& r, Msg& f) {
  r.string("conv", f.conv, Need::Required);
  r.unsigned_integer("id", f.id, Need::Required);
  r.unsigned_integer("epoch", f.epoch, Need::Required);
  r.integer("ts", f.ts, Need::Required);
  r.string("from", f.from, Need::Required);
  r.strings("to", f.to, Need::Optional);
  r.string("text", f.text, Need::Required);
  r.string("cid", f.cid, Need::Optional);
}

Decoded<Frame> decode_msg(MemberReader& r) {
  Msg f;
  read_msg(r, f);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_ack(MemberReader& r) {
  Ack f;
  r.rid(f.rid, Need::Required);
  r.string("cid", f.cid, Need::Optional);
  r.unsigned_integer("epoch", f.epoch, Need::Required);
  r.integer("ts", f.ts, Need::Required);
  r.objects("sent", f.sent, Need::Required, read_sent);
  r.objects("errors", f.errors, Need::Optional, read_target_error);
  r.flag("duplicate", f.duplicate);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_error(MemberReader& r) {
  Error f;
  r.rid(f.rid);
  r.string("code", f.code, Need::Required);
  r.string("text", f.text, Need::Required);
  r.objects("errors", f.errors, Need::Optional, read_target_error);
  return finish(r, std::move(f));
}

// join, leave, members: requests naming a room.
template <class F>
Decoded<Frame> decode_room_request(MemberReader& r) {
  F f;
  r.rid(f.rid, Need::Optional);
  r.string("room", f.room, Need::Required);
  return finish(r, std::move(f));
}

// Requests of an optional rid and required strings: topic, remove, passwd, register.
template <class F>
Decoded<Frame> decode_rid_and_strings(
    MemberReader& r, std::initializer_list<std::pair<std::string_view, std::string F::*>> members) {
  F f;
  r.rid(f.rid, Need::Optional);
  for (const auto& [key, member] : members) r.string(key, f.*member, Need::Required);
  return finish(r, std::move(f));
}

// "topic" is required although "" clears the topic: a request that forgot it must not.
Decoded<Frame> decode_topic(MemberReader& r) {
  return decode_rid_and_strings<SetTopic>(r,
                                          {{"room", &SetTopic::room}, {"topic", &SetTopic::topic}});
}

Decoded<Frame> decode_remove(MemberReader& r) {
  return decode_rid_and_strings<RemoveMember>(
      r, {{"room", &RemoveMember::room}, {"user", &RemoveMember::user}});
}

Decoded<Frame> decode_passwd(MemberReader& r) {
  return decode_rid_and_strings<Passwd>(
      r, {{"old", &Passwd::old_password}, {"new", &Passwd::new_password}});
}

Decoded<Frame> decode_register(MemberReader& r) {
  return decode_rid_and_strings<Register>(
      r, {{"user", &Register::user}, {"password", &Register::password}});
}

Decoded<Frame> decode_history(MemberReader& r) {
  History f;
  r.rid(f.rid, Need::Optional);
  r.string("conv", f.conv, Need::Optional);
  r.string("with", f.with, Need::Optional);
  r.unsigned_integer("before", f.before);
  r.unsigned_integer("after", f.after);
  r.unsigned_integer("limit", f.limit, Need::Optional);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_read(MemberReader& r) {
  Read f;
  r.rid(f.rid, Need::Optional);
  r.string("conv", f.conv, Need::Required);
  r.unsigned_integer("id", f.id, Need::Required);
  return finish(r, std::move(f));
}

// What follows a room's name in a room_list entry and in room.
void read_room_info_tail(MemberReader& r, RoomInfo& info) {
  r.string("topic", info.topic, Need::Optional);
  r.string("op", info.op, Need::Optional);
  r.unsigned_integer("members", info.members, Need::Required);
  r.flag("member", info.member);
}

void read_room_info(MemberReader& r, RoomInfo& info) {
  r.string("room", info.room, Need::Required);
  read_room_info_tail(r, info);
}

Decoded<Frame> decode_room(MemberReader& r) {
  Room f;
  r.rid(f.rid, Need::Required);
  r.string("room", f.info.room, Need::Required);
  r.string("conv", f.conv, Need::Required);
  read_room_info_tail(r, f.info);
  r.flag("created", f.created);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_room_list(MemberReader& r) {
  RoomList f;
  r.rid(f.rid, Need::Required);
  r.objects("rooms", f.rooms, Need::Required, read_room_info);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_member_list(MemberReader& r) {
  MemberList f;
  r.rid(f.rid, Need::Required);
  r.string("room", f.room, Need::Required);
  r.string("op", f.op, Need::Optional);
  r.strings("members", f.members, Need::Required);
  r.strings("online", f.online, Need::Optional);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_room_event(MemberReader& r) {
  RoomEvent f;
  r.string("room", f.room, Need::Required);
  r.string("event", f.event, Need::Required);
  r.string("user", f.user, Need::Required);
  r.string("by", f.by, Need::Optional);
  r.string("topic", f.topic, Need::Optional);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_page(MemberReader& r) {
  Page f;
  r.rid(f.rid);
  r.string("conv", f.conv, Need::Required);
  r.objects("msgs", f.msgs, Need::Required, read_msg);
  r.flag("more", f.more);
  r.unsigned_integer("expired", f.expired, Need::Optional);
  r.unsigned_integer("unread", f.unread, Need::Optional);
  r.unsigned_integer("read", f.read, Need::Optional);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_synced(MemberReader& r) {
  Synced f;
  r.rid(f.rid, Need::Required);
  r.conv_ids("unread", f.unread, Need::Optional);
  return finish(r, std::move(f));
}

Decoded<Frame> decode_cursor(MemberReader& r) {
  Cursor f;
  r.string("conv", f.conv, Need::Required);
  r.unsigned_integer("id", f.id, Need::Required);
  return finish(r, std::move(f));
}

struct TypeDecoder {
  std::string_view type;
  Decoded<Frame> (*decode)(MemberReader&);
};

constexpr std::array kDecoders{
    TypeDecoder{"login", decode_login},
    TypeDecoder{"send", decode_send},
    TypeDecoder{"ping", decode_rid_only<Ping, Need::Optional>},
    TypeDecoder{"logout", decode_rid_only<Logout, Need::Optional>},
    TypeDecoder{"welcome", decode_welcome},
    TypeDecoder{"presence", decode_presence},
    TypeDecoder{"msg", decode_msg},
    TypeDecoder{"ack", decode_ack},
    TypeDecoder{"pong", decode_rid_only<Pong, Need::Required>},
    TypeDecoder{"bye", decode_rid_only<Bye, Need::Required>},
    TypeDecoder{"error", decode_error},
    TypeDecoder{"join", decode_room_request<Join>},
    TypeDecoder{"leave", decode_room_request<Leave>},
    TypeDecoder{"rooms", decode_rid_only<ListRooms, Need::Optional>},
    TypeDecoder{"topic", decode_topic},
    TypeDecoder{"members", decode_room_request<ListMembers>},
    TypeDecoder{"remove", decode_remove},
    TypeDecoder{"history", decode_history},
    TypeDecoder{"read", decode_read},
    TypeDecoder{"room", decode_room},
    TypeDecoder{"room_list", decode_room_list},
    TypeDecoder{"member_list", decode_member_list},
    TypeDecoder{"room_event", decode_room_event},
    TypeDecoder{"page", decode_page},
    TypeDecoder{"synced", decode_synced},
    TypeDecoder{"cursor", decode_cursor},
    TypeDecoder{"ok", decode_rid_only<Ok, Need::Required>},
    TypeDecoder{"passwd", decode_passwd},
    TypeDecoder{"register", decode_register},
};

// The rid of an object, if it has a valid one.
std::optional<RequestId> valid_rid(JsonValue& object) {
  std::optional<RequestId> rid;
  MemberReader r(object);
  r.rid(rid);
  return r.failed() ? std::nullopt : rid;
}

}  // namespace

Decoded<Frame> decode_body(std::string_view body, const DecodeLimits& limits) {
  auto object = proto::detail::parse_object(body, limits, "frame");
  if (!object) return Unexpected<DecodeError>{object.error()};
  auto type = proto::detail::type_member(*object);
  if (!type) return Unexpected<DecodeError>{type.error()};
  for (const TypeDecoder& decoder : kDecoders) {
    if (decoder.type != *type) continue;
    MemberReader reader(*object);
    return decoder.decode(reader);
  }
  return Frame(Unknown{std::move(*type), valid_rid(*object)});
}

std::optional<RequestId> request_id_of(std::string_view body, const DecodeLimits& limits) {
  auto object = proto::detail::parse_object(body, limits, "frame");
  if (!object) return std::nullopt;
  return valid_rid(*object);
}

}  // namespace qc::proto::v2
