// Bus events: the members in the order events.h shows, optional ones left out when empty.
#include "proto/bus/codec.h"

#include <algorithm>
#include <array>

#include "proto/json_fields.h"
#include "proto/v2/json_compact.h"
#include "proto/v2/member_reader.h"

namespace qc::proto::bus {
namespace {

using proto::detail::JsonValue;
using v2::detail::CompactObject;
using v2::detail::MemberReader;
using v2::detail::Need;

constexpr std::array kConvKinds{std::pair{ConvKind::Direct, std::string_view("direct")},
                                std::pair{ConvKind::Room, std::string_view("room")},
                                std::pair{ConvKind::Broadcast, std::string_view("broadcast")}};
constexpr std::array<std::string_view, 4> kRoomChanges{"join", "leave", "remove", "topic"};

void encode_to(std::string& out, const Msg& e) {
  CompactObject o(out, "msg");
  o.string("kind", conv_kind_name(e.kind))
      .string("conv", e.msg.conv)
      .unsigned_integer("id", e.msg.id)
      .unsigned_integer("epoch", e.msg.epoch)
      .integer("ts", e.msg.ts)
      .string("from", e.msg.from)
      .strings_if_set("to", e.msg.to)
      .string("text", e.msg.text)
      .string_if_set("cid", e.msg.cid)
      .unsigned_integer("from_id", e.from_id)
      .unsigned_if_set("to_id", e.to_id)
      .unsigned_if_set("v1_from", e.v1_from)
      .true_if_set("v1_many", e.v1_many);
  o.close();
}

void encode_to(std::string& out, const Presence& e) {
  CompactObject o(out, "presence");
  o.string("user", e.user)
      .unsigned_integer("id", e.id)
      .string("state", e.online ? "online" : "offline")
      .unsigned_if_set("v1_id", e.v1_id);
  o.close();
}

void encode_to(std::string& out, const Room& e) {
  CompactObject o(out, "room");
  o.string("change", e.change)
      .string("room", e.room)
      .string("user", e.user)
      .unsigned_integer("user_id", e.user_id)
      .string_if_set("by", e.by)
      .string_if_set("topic", e.topic)
      .true_if_set("created", e.created);
  o.close();
}

void encode_to(std::string& out, const EndSessions& e) {
  CompactObject o(out, "end_sessions");
  o.string("user", e.user).unsigned_integer("code", e.code).string("reason", e.reason);
  o.close();
}

Decoded<Event> refuse(DecodeErrc code, std::string detail) {
  return proto::detail::decode_error(code, std::move(detail));
}

template <class E>
Decoded<Event> finish(const MemberReader& r, E&& event) {
  if (r.failed()) return Unexpected<DecodeError>{r.error()};
  return Event(std::forward<E>(event));
}

Decoded<Event> decode_msg(MemberReader& r) {
  Msg e;
  std::string kind;
  r.string("kind", kind, Need::Required);
  r.string("conv", e.msg.conv, Need::Required);
  r.unsigned_integer("id", e.msg.id, Need::Required);
  r.unsigned_integer("epoch", e.msg.epoch, Need::Required);
  r.integer("ts", e.msg.ts, Need::Required);
  r.string("from", e.msg.from, Need::Required);
  r.strings("to", e.msg.to, Need::Optional);
  r.string("text", e.msg.text, Need::Required);
  r.string("cid", e.msg.cid, Need::Optional);
  r.unsigned_integer("from_id", e.from_id, Need::Required);
  r.unsigned_integer("to_id", e.to_id, Need::Optional);
  r.unsigned_integer("v1_from", e.v1_from, Need::Optional);
  r.flag("v1_many", e.v1_many);
  if (r.failed()) return Unexpected<DecodeError>{r.error()};
  const auto* known = std::find_if(kConvKinds.begin(), kConvKinds.end(),
                                   [&](const auto& k) { return k.second == kind; });
  if (known == kConvKinds.end())
    return refuse(DecodeErrc::WrongType, "member 'kind' must be direct, room or broadcast");
  e.kind = known->first;
  if (e.kind == ConvKind::Direct && (e.msg.to.size() != 1 || e.to_id == 0))
    return refuse(DecodeErrc::MissingField, "a direct msg needs one name in 'to' and 'to_id'");
  return finish(r, std::move(e));
}

Decoded<Event> decode_presence(MemberReader& r) {
  Presence e;
  std::string state;
  r.string("user", e.user, Need::Required);
  r.unsigned_integer("id", e.id, Need::Required);
  r.string("state", state, Need::Required);
  r.unsigned_integer("v1_id", e.v1_id, Need::Optional);
  if (r.failed()) return Unexpected<DecodeError>{r.error()};
  if (state != "online" && state != "offline")
    return refuse(DecodeErrc::WrongType, "member 'state' must be online or offline");
  e.online = state == "online";
  return finish(r, std::move(e));
}

Decoded<Event> decode_room(MemberReader& r) {
  Room e;
  r.string("change", e.change, Need::Required);
  r.string("room", e.room, Need::Required);
  r.string("user", e.user, Need::Required);
  r.unsigned_integer("user_id", e.user_id, Need::Required);
  r.string("by", e.by, Need::Optional);
  r.string("topic", e.topic, Need::Optional);
  r.flag("created", e.created);
  if (r.failed()) return Unexpected<DecodeError>{r.error()};
  if (std::find(kRoomChanges.begin(), kRoomChanges.end(), e.change) == kRoomChanges.end())
    return refuse(DecodeErrc::WrongType, "member 'change' must be join, leave, remove or topic");
  return finish(r, std::move(e));
}

Decoded<Event> decode_end_sessions(MemberReader& r) {
  EndSessions e;
  r.string("user", e.user, Need::Required);
  r.unsigned_integer("code", e.code, Need::Required);
  r.string("reason", e.reason, Need::Required);
  return finish(r, std::move(e));
}

struct TypeDecoder {
  std::string_view type;
  Decoded<Event> (*decode)(MemberReader&);
};
constexpr std::array kDecoders{
    TypeDecoder{"msg", decode_msg},
    TypeDecoder{"presence", decode_presence},
    TypeDecoder{"room", decode_room},
    TypeDecoder{"end_sessions", decode_end_sessions},
};

}  // namespace

std::string_view conv_kind_name(ConvKind kind) {
  for (const auto& [k, name] : kConvKinds)
    if (k == kind) return name;
  return "direct";
}

std::string_view event_name(const Event& event) {
  static constexpr std::array<std::string_view, std::variant_size_v<Event>> kNames{
      "msg", "presence", "room", "end_sessions"};
  return kNames[event.index()];
}

std::string encode(const Event& event) {
  std::string out;
  std::visit([&](const auto& e) { encode_to(out, e); }, event);
  return out;
}

// Unlike a v2 frame, an unknown "t" is an error: the nodes of a cluster run one version.
Decoded<Event> decode(std::string_view payload, const DecodeLimits& limits) {
  auto object = proto::detail::parse_object(payload, limits, "event");
  if (!object) return Unexpected<DecodeError>{object.error()};
  auto type = proto::detail::type_member(*object);
  if (!type) return Unexpected<DecodeError>{type.error()};
  for (const TypeDecoder& decoder : kDecoders) {
    if (decoder.type != *type) continue;
    MemberReader reader(*object);
    return decoder.decode(reader);
  }
  return refuse(DecodeErrc::UnknownType, "unknown event '" + *type + "'");
}

}  // namespace qc::proto::bus
