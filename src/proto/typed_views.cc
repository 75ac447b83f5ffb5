// Typed views of `msg`: the JSON bodies each message type carries, keys in the seed's order.
#include "proto/codec.h"
#include "proto/json_fields.h"
#include "proto/json_writer.h"

namespace qc::proto {

using detail::decode_error;
using detail::JsonValue;
using detail::ObjectWriter;

namespace {

template <class T>
Unexpected<DecodeError> forward(const Decoded<T>& failed) {
  return Unexpected<DecodeError>{failed.error()};
}

// Objects holding only string fields: login, requests, error, sys.
template <class T, class... Members>
Decoded<T> decode_strings(std::string_view msg, const DecodeLimits& limits,
                          std::pair<const char*, Members>... m) {
  auto object = detail::parse_object(msg, limits, "msg");
  if (!object) return forward(object);
  T out{};
  std::optional<DecodeError> err;
  auto take = [&](const char* key, std::string T::*member) {
    if (err) return;
    auto s = detail::string_field(*object, key);
    if (s) {
      out.*member = std::move(s).value();
    } else {
      err = s.error();
    }
  };
  (take(m.first, m.second), ...);
  if (err) return Unexpected<DecodeError>{*err};
  return out;
}

Decoded<UserEntry> user_entry(const JsonValue& v) {
  if (v.kind != JsonValue::Kind::Object) {
    return decode_error(DecodeErrc::NotObject, "user list entry must be a JSON object, got " +
                                                   std::string(detail::json_kind_name(v.kind)));
  }
  auto id = detail::uint_field(v, "user_id");
  if (!id) return forward(id);
  auto name = detail::string_field(v, "username");
  if (!name) return forward(name);
  return UserEntry{*id, std::move(name).value()};
}

}  // namespace

// --- encoders ---------------------------------------------------------------------------

std::string encode_versions_request(const VersionsRequest& r) {
  std::string list = "[";
  for (std::size_t i = 0; i < r.versions.size(); ++i) {
    if (i > 0) list += ", ";
    detail::append_int(list, r.versions[i]);
  }
  list += ']';
  std::string out;
  ObjectWriter(out).raw("versions", list).close();
  return out;
}

std::string encode_versions_reply(const VersionsReply& r) {
  std::string out;
  ObjectWriter w(out);
  if (r.selected_version) {
    w.integer("selected_version", *r.selected_version);
  } else {
    w.string("error", r.error.value_or(""));
  }
  w.close();
  return out;
}

std::string encode_login(const LoginRequest& r) {
  std::string out;
  ObjectWriter(out).string("username", r.username).string("password", r.password).close();
  return out;
}

std::string encode_user_list(const UserList& users) {
  std::string out = "[";
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (i > 0) out += ", ";
    ObjectWriter(out)
        .unsigned_integer("user_id", users[i].user_id)
        .string("username", users[i].username)
        .close();
  }
  out += ']';
  return out;
}

std::string encode_one_to_one(const OneToOneRequest& r) {
  std::string out;
  ObjectWriter(out).string("target_user_id", r.target_user_id).string("msg", r.msg).close();
  return out;
}

std::string encode_one_to_many(const OneToManyRequest& r) {
  std::string out;
  ObjectWriter(out).string("target_user_ids", r.target_user_ids).string("msg", r.msg).close();
  return out;
}

std::string encode_broadcast(const BroadcastRequest& r) {
  std::string out;
  ObjectWriter(out).string("msg", r.msg).close();
  return out;
}

std::string encode_delivery(const Delivery& d) {
  std::string out;
  ObjectWriter(out)
      .unsigned_integer("sender_user_id", d.sender_user_id)
      .string("sender_username", d.sender_username)
      .string("msg", d.msg)
      .close();
  return out;
}

std::string encode_error(const ErrorReply& r) {
  std::string out;
  ObjectWriter(out).string("error", r.error).close();
  return out;
}

std::string encode_sys(const SysReply& r) {
  std::string out;
  ObjectWriter(out).string("sys", r.sys).close();
  return out;
}

// --- decoders ---------------------------------------------------------------------------

Decoded<VersionsRequest> decode_versions_request(std::string_view msg, const DecodeLimits& limits) {
  auto object = detail::parse_object(msg, limits, "msg");
  if (!object) return forward(object);
  auto list = detail::field(*object, "versions");
  if (!list) return forward(list);
  if ((*list)->kind != JsonValue::Kind::Array) {
    return decode_error(DecodeErrc::WrongType,
                        "field 'versions' must be an array, got " +
                            std::string(detail::json_kind_name((*list)->kind)));
  }
  VersionsRequest out;
  for (const JsonValue& item : (*list)->items) {
    auto v = detail::as_int(item, "versions[]");
    if (!v) return forward(v);
    out.versions.push_back(*v);
  }
  return out;
}

Decoded<VersionsReply> decode_versions_reply(std::string_view msg, const DecodeLimits& limits) {
  auto object = detail::parse_object(msg, limits, "msg");
  if (!object) return forward(object);
  VersionsReply out;
  if (object->find("selected_version") != nullptr) {
    auto v = detail::int_field(*object, "selected_version");
    if (!v) return forward(v);
    out.selected_version = *v;
    return out;
  }
  if (object->find("error") == nullptr) {
    return decode_error(DecodeErrc::MissingField, "missing field 'selected_version' (or 'error')");
  }
  auto e = detail::string_field(*object, "error");
  if (!e) return forward(e);
  out.error = std::move(e).value();
  return out;
}

Decoded<LoginRequest> decode_login(std::string_view msg, const DecodeLimits& limits) {
  return decode_strings<LoginRequest>(msg, limits, std::pair{"username", &LoginRequest::username},
                                      std::pair{"password", &LoginRequest::password});
}

Decoded<UserList> decode_user_list(std::string_view msg, const DecodeLimits& limits) {
  auto parsed = detail::parse_json(msg, limits);
  if (!parsed) return forward(parsed);
  if (parsed->kind != JsonValue::Kind::Array) {
    return decode_error(
        DecodeErrc::WrongType,
        "user list must be a JSON array, got " + std::string(detail::json_kind_name(parsed->kind)));
  }
  UserList out;
  out.reserve(parsed->items.size());
  for (const JsonValue& item : parsed->items) {
    auto entry = user_entry(item);
    if (!entry) return forward(entry);
    out.push_back(std::move(entry).value());
  }
  return out;
}

Decoded<OneToOneRequest> decode_one_to_one(std::string_view msg, const DecodeLimits& limits) {
  return decode_strings<OneToOneRequest>(
      msg, limits, std::pair{"target_user_id", &OneToOneRequest::target_user_id},
      std::pair{"msg", &OneToOneRequest::msg});
}

Decoded<OneToManyRequest> decode_one_to_many(std::string_view msg, const DecodeLimits& limits) {
  return decode_strings<OneToManyRequest>(
      msg, limits, std::pair{"target_user_ids", &OneToManyRequest::target_user_ids},
      std::pair{"msg", &OneToManyRequest::msg});
}

Decoded<BroadcastRequest> decode_broadcast(std::string_view msg, const DecodeLimits& limits) {
  return decode_strings<BroadcastRequest>(msg, limits, std::pair{"msg", &BroadcastRequest::msg});
}

Decoded<Delivery> decode_delivery(std::string_view msg, const DecodeLimits& limits) {
  auto object = detail::parse_object(msg, limits, "msg");
  if (!object) return forward(object);
  auto id = detail::uint_field(*object, "sender_user_id");
  if (!id) return forward(id);
  auto name = detail::string_field(*object, "sender_username");
  if (!name) return forward(name);
  auto text = detail::string_field(*object, "msg");
  if (!text) return forward(text);
  return Delivery{*id, std::move(name).value(), std::move(text).value()};
}

Decoded<ErrorReply> decode_error(std::string_view msg, const DecodeLimits& limits) {
  return decode_strings<ErrorReply>(msg, limits, std::pair{"error", &ErrorReply::error});
}

Decoded<SysReply> decode_sys(std::string_view msg, const DecodeLimits& limits) {
  return decode_strings<SysReply>(msg, limits, std::pair{"sys", &SysReply::sys});
}

}  // namespace qc::proto
