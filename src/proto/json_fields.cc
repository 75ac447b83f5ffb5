#include "proto/json_fields.h"

namespace qc::proto::detail {
namespace {

std::string quoted(std::string_view name) { return "field '" + std::string(name) + "'"; }

Unexpected<DecodeError> not_integer(const JsonValue& value, std::string_view name) {
  if (value.kind == JsonValue::Kind::Number && value.integral) {
    return decode_error(DecodeErrc::WrongType, quoted(name) + " is out of range: " + value.text);
  }
  return decode_error(
      DecodeErrc::WrongType,
      quoted(name) + " must be an integer, got " + std::string(json_kind_name(value.kind)) +
          (value.kind == JsonValue::Kind::Number ? " with a fraction or exponent" : ""));
}

}  // namespace

Unexpected<DecodeError> decode_error(DecodeErrc code, std::string detail) {
  return Unexpected<DecodeError>{DecodeError{code, std::move(detail)}};
}

Decoded<JsonValue> parse_object(std::string_view text, const DecodeLimits& limits,
                                std::string_view what) {
  auto parsed = parse_json(text, limits);
  if (!parsed) return Unexpected<DecodeError>{parsed.error()};
  if (parsed->kind != JsonValue::Kind::Object) {
    return decode_error(DecodeErrc::NotObject, std::string(what) + " must be a JSON object, got " +
                                                   std::string(json_kind_name(parsed->kind)));
  }
  return std::move(parsed).value();
}

Decoded<const JsonValue*> field(const JsonValue& object, std::string_view key) {
  const JsonValue* v = object.find(key);
  if (v == nullptr) return decode_error(DecodeErrc::MissingField, "missing " + quoted(key));
  return v;
}

Decoded<std::string> type_member(const JsonValue& object) {
  const JsonValue* type = object.find("t");
  if (type == nullptr) return decode_error(DecodeErrc::MissingField, "missing member 't'");
  if (type->kind != JsonValue::Kind::String) {
    return decode_error(DecodeErrc::WrongType, "member 't' must be a string, got " +
                                                   std::string(json_kind_name(type->kind)));
  }
  return type->text;
}

Decoded<std::string> string_field(const JsonValue& object, std::string_view key) {
  auto v = field(object, key);
  if (!v) return Unexpected<DecodeError>{v.error()};
  if ((*v)->kind != JsonValue::Kind::String) {
    return decode_error(DecodeErrc::WrongType, quoted(key) + " must be a string, got " +
                                                   std::string(json_kind_name((*v)->kind)));
  }
  return (*v)->text;
}

Decoded<std::int64_t> as_int(const JsonValue& value, std::string_view name) {
  if (auto i = json_to_int64(value)) return *i;
  return not_integer(value, name);
}

Decoded<std::uint64_t> as_uint(const JsonValue& value, std::string_view name) {
  if (auto i = json_to_uint64(value)) return *i;
  return not_integer(value, name);
}

Decoded<std::int64_t> int_field(const JsonValue& object, std::string_view key) {
  auto v = field(object, key);
  if (!v) return Unexpected<DecodeError>{v.error()};
  return as_int(**v, key);
}

Decoded<std::uint64_t> uint_field(const JsonValue& object, std::string_view key) {
  auto v = field(object, key);
  if (!v) return Unexpected<DecodeError>{v.error()};
  return as_uint(**v, key);
}

}  // namespace qc::proto::detail
