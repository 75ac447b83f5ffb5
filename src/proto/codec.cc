// The PDU envelope: {"version": 1, "mtype": 16, "msg": "...", "sz": 39}.
#include "proto/codec.h"

#include <limits>

#include "proto/json_fields.h"
#include "proto/json_writer.h"

namespace qc::proto {

using detail::decode_error;

std::string_view decode_errc_name(DecodeErrc code) {
  switch (code) {
    case DecodeErrc::Syntax:
      return "syntax";
    case DecodeErrc::NotObject:
      return "not_object";
    case DecodeErrc::MissingField:
      return "missing_field";
    case DecodeErrc::WrongType:
      return "wrong_type";
    case DecodeErrc::MsgNotString:
      return "msg_not_string";
    case DecodeErrc::UnknownType:
      return "unknown_type";
    case DecodeErrc::InvalidUtf8:
      return "invalid_utf8";
    case DecodeErrc::TooDeep:
      return "too_deep";
    case DecodeErrc::TooLarge:
      return "too_large";
  }
  return "unknown";
}

void encode_to(const Pdu& pdu, std::string& out) {
  // Escaping grows JSON text by ~1/8 (every quote doubles); one reserve covers the usual case.
  out.reserve(out.size() + pdu.msg.size() + pdu.msg.size() / 8 + 64);
  detail::ObjectWriter(out)
      .integer("version", pdu.version)
      .integer("mtype", static_cast<std::int64_t>(pdu.type))
      .string("msg", pdu.msg)
      .unsigned_integer("sz", char_count(pdu.msg))
      .close();
}

std::string encode(const Pdu& pdu) {
  std::string out;
  encode_to(pdu, out);
  return out;
}

Decoded<Pdu> decode(std::string_view bytes, const DecodeLimits& limits) {
  auto object = detail::parse_object(bytes, limits, "PDU");
  if (!object) return Unexpected<DecodeError>{object.error()};

  auto version = detail::int_field(*object, "version");
  if (!version) return Unexpected<DecodeError>{version.error()};
  if (*version < std::numeric_limits<int>::min() || *version > std::numeric_limits<int>::max()) {
    return decode_error(DecodeErrc::WrongType,
                        "field 'version' is out of range: " + std::to_string(*version));
  }

  auto mtype = detail::int_field(*object, "mtype");
  if (!mtype) return Unexpected<DecodeError>{mtype.error()};
  const std::optional<MsgType> type = msg_type_from_int(*mtype);
  if (!type)
    return decode_error(DecodeErrc::UnknownType, "unknown mtype " + std::to_string(*mtype));

  detail::JsonValue* msg = object->find("msg");
  if (msg == nullptr) return decode_error(DecodeErrc::MissingField, "missing field 'msg'");
  if (msg->kind != detail::JsonValue::Kind::String) {
    return decode_error(
        DecodeErrc::MsgNotString,
        "field 'msg' must be a string, got " + std::string(detail::json_kind_name(msg->kind)));
  }
  return Pdu{static_cast<int>(*version), *type, std::move(msg->text)};
}

}  // namespace qc::proto
